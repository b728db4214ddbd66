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

    /// <summary>One or more comma-separated host:port edge addresses (--server).</summary>
    public static IReadOnlyList<IPEndPoint> ParseServers(string list)
    {
        var servers = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseServer).ToList();
        return servers.Count > 0 ? servers : throw new ArgumentException("--server names no edge address.");
    }

    /// <summary>Comma-separated navigation URLs (--navigation), each http(s) on a loopback host.</summary>
    public static IReadOnlyList<Uri> ParseNavigation(string? list)
    {
        if (string.IsNullOrWhiteSpace(list))
        {
            return [];
        }

        var urls = new List<Uri>();
        foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                throw new ArgumentException($"--navigation: {part} is not an http(s) URL.");
            }

            if (!url.IsLoopback || (IPAddress.TryParse(url.IdnHost, out var address) && address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork))
            {
                throw new ArgumentException($"--navigation: {part} is not on an IPv4 loopback host.");
            }

            urls.Add(url);
        }

        return urls;
    }

    /// <summary>An edge address as navigation gave it, held to the same rule as --server.</summary>
    public static IPEndPoint ParseEdge(EndPoint edge) => ParseServer(edge switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => edge.ToString()!,
    });

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
