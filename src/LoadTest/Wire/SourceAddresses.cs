using System.Net;
using System.Net.Sockets;

namespace ImOrleans.LoadTest.Wire;

/// <summary>
/// Loopback source addresses to spread client sockets over: one source address gives about 28,000 ephemeral
/// ports toward one server port, so more sessions than that need 127.0.0.2, 127.0.0.3, ... as well.
/// </summary>
internal sealed class SourceAddresses(IReadOnlyList<IPAddress> addresses)
{
    // Linux: bind(addr, 0) without reserving a port, so the port is picked at connect() per 4-tuple.
    private const int SolIp = 0;
    private const int IpBindAddressNoPort = 24;

    private int _next = -1;

    public IReadOnlyList<IPAddress> Addresses { get; } = addresses;

    /// <summary>The next address, round robin; null when none were given (the kernel picks 127.0.0.1).</summary>
    public IPAddress? Next() =>
        Addresses.Count == 0 ? null : Addresses[(int)((uint)Interlocked.Increment(ref _next) % (uint)Addresses.Count)];

    public static void BindWithoutPort(Socket socket, IPAddress source)
    {
        if (OperatingSystem.IsLinux())
        {
            socket.SetRawSocketOption(SolIp, IpBindAddressNoPort, BitConverter.GetBytes(1));
        }

        socket.Bind(new IPEndPoint(source, 0));
    }
}
