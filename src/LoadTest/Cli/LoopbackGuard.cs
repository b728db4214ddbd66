using System.Globalization;
using System.Net;

namespace ImOrleans.LoadTest.Cli;

/// <summary>The load tester only ever targets this machine: every address it is given must be loopback.</summary>
internal static class LoopbackGuard
{
    public static IPEndPoint ParseServer(string hostAndPort)
    {
        var colon = hostAndPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostAndPort.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is <= 0 or > 65535)
        {
            throw new ArgumentException($"--server '{hostAndPort}' is not host:port.");
        }

        var host = hostAndPort[..colon].Trim('[', ']');
        var address = host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback : IPAddress.Parse(host);
        return IPAddress.IsLoopback(address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? new IPEndPoint(address, port)
            : throw new ArgumentException($"--server {hostAndPort}: only IPv4 loopback addresses (127.0.0.0/8) may be targeted.");
    }

    public static IReadOnlyList<IPAddress> ParseSources(string? list)
    {
        if (string.IsNullOrWhiteSpace(list))
        {
            return [];
        }

        var addresses = new List<IPAddress>();
        foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var address = IPAddress.Parse(part);
            if (!IPAddress.IsLoopback(address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            {
                throw new ArgumentException($"--source-addresses: {part} is not an IPv4 loopback address.");
            }

            addresses.Add(address);
        }

        return addresses;
    }
}
