using System.Net;
using System.Net.Sockets;

namespace ImOrleans.Integration.Tests;

/// <summary>
/// Ports for the processes these tests start. A port the kernel hands out for a listener on port 0 is an ephemeral
/// one, which any outgoing connection (the load tester's, Orleans') may take as its source port in the seconds before
/// the started process binds it: a CI run failed so ("address already in use"). These come from below the ephemeral
/// range (32768-60999 by default on Linux), where only a bind takes a port, and each is checked free when handed out.
/// </summary>
internal static class LoopbackPorts
{
    private const int First = 20_000;
    private const int Last = 32_000;

    private static int _next = First + Random.Shared.Next(0, Last - First);

    public static int Next()
    {
        for (var tries = 0; tries < Last - First; tries++)
        {
            var port = First + (Interlocked.Increment(ref _next) - First) % (Last - First);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Bound by something else: try the next one.
            }
        }

        throw new InvalidOperationException($"no free loopback port in {First}-{Last}");
    }
}
