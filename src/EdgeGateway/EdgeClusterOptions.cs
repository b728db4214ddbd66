namespace ImOrleans.EdgeGateway;

/// <summary>
/// How a standalone edge finds the cluster it is a client of, bound from the configuration section <c>Cluster</c>
/// (the same keys a silo uses; the silo-only ones are ignored here).
/// </summary>
public sealed class EdgeClusterOptions
{
    public const string SectionName = "Cluster";

    /// <summary>The silos' cluster id. Default "imorleans".</summary>
    public string ClusterId { get; set; } = "imorleans";

    /// <summary>The silos' service id. Default "imorleans".</summary>
    public string ServiceId { get; set; } = "imorleans";

    /// <summary>"Localhost" (default: the silo's gateway on this machine at <see cref="GatewayPort"/>) or "Redis".</summary>
    public string Clustering { get; set; } = ClusteringKinds.Localhost;

    /// <summary>StackExchange.Redis configuration of the silos' membership table, required with Redis clustering. Default null.</summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>With Localhost clustering, the silo's gateway port. Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>How long a grain call may wait for its answer before it fails with a timeout. Default 30 s.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a starting edge keeps trying to reach a silo's gateway before it gives up and stops. Default 60 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(60);

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

        if (GatewayPort is <= 0 or > 65535)
        {
            yield return $"Cluster:GatewayPort {GatewayPort} is outside 1-65535.";
        }

        if (ResponseTimeout <= TimeSpan.Zero || ConnectTimeout <= TimeSpan.Zero)
        {
            yield return "Cluster:ResponseTimeout and Cluster:ConnectTimeout must be positive.";
        }
    }
}
