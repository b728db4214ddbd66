namespace ImOrleans.EdgeGateway;

/// <summary>How an edge announces itself for navigation (R8), bound from the configuration section <c>Navigation</c>.</summary>
public sealed class NavigationOptions
{
    public const string SectionName = "Navigation";

    /// <summary>Whether this edge reports itself to the cluster's edge directory. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// "host:port" clients are told to connect to for this edge. Default: empty, meaning <c>Edge:ListenAddress</c> and
    /// the listener's real port (with the machine's host name when the listener binds every address).
    /// Set it when clients reach the edge through another address (NAT, container port mapping, a DNS name).
    /// </summary>
    public string AdvertisedAddress { get; set; } = "";

    /// <summary>How often the edge reports its connection count. Default 2 s.</summary>
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long one report keeps the edge listed: an edge not heard from within it (a crash, a cut link) drops out of
    /// navigation. Default 6 s, three report intervals.
    /// </summary>
    public TimeSpan EntryLifetime { get; set; } = TimeSpan.FromSeconds(6);

    internal IEnumerable<string> Validate()
    {
        if (ReportInterval <= TimeSpan.Zero || EntryLifetime <= ReportInterval)
        {
            yield return $"Navigation:EntryLifetime ({EntryLifetime}) must be longer than Navigation:ReportInterval ({ReportInterval}), both positive.";
        }

        if (AdvertisedAddress.Length > 0)
        {
            var colon = AdvertisedAddress.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(AdvertisedAddress.AsSpan(colon + 1), out var port) || port is <= 0 or > 65535)
            {
                yield return $"Navigation:AdvertisedAddress '{AdvertisedAddress}' is not host:port.";
            }
        }
    }
}
