using System.Net;
using ImOrleans.EdgeGateway;

namespace ImOrleans.Silo;

/// <summary>Cluster settings of a silo, bound from the configuration section <c>Cluster</c> (the section <c>Orleans</c> belongs to Orleans itself).</summary>
public sealed class SiloOptions
{
    public const string SectionName = "Cluster";

    /// <summary>Silos and edges with the same cluster id form one cluster. Default "imorleans".</summary>
    public string ClusterId { get; set; } = "imorleans";

    /// <summary>Identifies the deployment in stored grain state; keep it stable across restarts. Default "imorleans".</summary>
    public string ServiceId { get; set; } = "imorleans";

    /// <summary>
    /// How silos find each other: "Localhost" (default: one silo, nothing to install) or "Redis" (any number of silos
    /// and standalone edges sharing <see cref="RedisConnectionString"/>).
    /// </summary>
    public string Clustering { get; set; } = ClusteringKinds.Localhost;

    /// <summary>StackExchange.Redis configuration ("host:port[,password=...]"), required with Redis clustering. Default null.</summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>
    /// Address (IP or host name) other silos and edges use to reach this silo, with Redis clustering. Default: empty,
    /// meaning this host's first non-loopback IPv4 address. Set 127.0.0.1 for a cluster on one machine.
    /// </summary>
    public string AdvertisedAddress { get; set; } = "";

    /// <summary>Silo-to-silo port. Default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port standalone edges (Orleans clients) connect to. Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Whether this process also serves client sockets (the co-hosted edge). Default true.</summary>
    public bool HostEdge { get; set; } = true;

    /// <summary>
    /// Failure detection: how long a liveness probe of another silo may take. A silo that misses
    /// <see cref="MissedProbesLimit"/> probes in a row is declared dead and its grains move to the survivors.
    /// Default 5 s (Orleans' own default).
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Missed probes before a silo is suspected dead. Default 3 (Orleans' own default).</summary>
    public int MissedProbesLimit { get; set; } = 3;

    /// <summary>How long a grain call may wait for its answer before it fails with a timeout. Default 30 s.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal bool UsesRedis => string.Equals(Clustering, ClusteringKinds.Redis, StringComparison.OrdinalIgnoreCase);

    internal IEnumerable<string> Validate()
    {
        if (!string.Equals(Clustering, ClusteringKinds.Localhost, StringComparison.OrdinalIgnoreCase) && !UsesRedis)
        {
            yield return $"Cluster:Clustering '{Clustering}' is not supported; use {ClusteringKinds.Localhost} or {ClusteringKinds.Redis}.";
        }

        if (UsesRedis && string.IsNullOrWhiteSpace(RedisConnectionString))
        {
            yield return "Cluster:RedisConnectionString is required with Cluster:Clustering Redis (e.g. \"127.0.0.1:6379\").";
        }

        if (string.IsNullOrWhiteSpace(ClusterId) || string.IsNullOrWhiteSpace(ServiceId))
        {
            yield return "Cluster:ClusterId and Cluster:ServiceId must not be empty.";
        }

        if (SiloPort is <= 0 or > 65535 || GatewayPort is <= 0 or > 65535 || SiloPort == GatewayPort)
        {
            yield return $"Cluster:SiloPort ({SiloPort}) and Cluster:GatewayPort ({GatewayPort}) must be different ports in 1-65535.";
        }

        if (ProbeTimeout <= TimeSpan.Zero || MissedProbesLimit < 1 || ResponseTimeout <= TimeSpan.Zero)
        {
            yield return "Cluster:ProbeTimeout and Cluster:ResponseTimeout must be positive, Cluster:MissedProbesLimit at least 1.";
        }
    }

    /// <summary>The address to advertise: <see cref="AdvertisedAddress"/> resolved, or null to let Orleans pick one.</summary>
    internal IPAddress? ResolveAdvertisedAddress()
    {
        if (string.IsNullOrWhiteSpace(AdvertisedAddress))
        {
            return null;
        }

        if (IPAddress.TryParse(AdvertisedAddress, out var address))
        {
            return address;
        }

        // A host name (e.g. a container's service name): the first IPv4 address it resolves to.
        return Dns.GetHostAddresses(AdvertisedAddress).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? throw new InvalidOperationException($"Cluster:AdvertisedAddress '{AdvertisedAddress}' resolves to no IPv4 address.");
    }
}
