namespace ImOrleans.Silo;

/// <summary>Cluster settings of a silo, bound from the configuration section <c>Cluster</c> (the section <c>Orleans</c> belongs to Orleans itself).</summary>
public sealed class SiloOptions
{
    public const string SectionName = "Cluster";

    /// <summary>Silos and edges with the same cluster id form one cluster. Default "imorleans".</summary>
    public string ClusterId { get; set; } = "imorleans";

    /// <summary>Identifies the deployment in stored grain state; keep it stable across restarts. Default "imorleans".</summary>
    public string ServiceId { get; set; } = "imorleans";

    /// <summary>How silos find each other. "Localhost" (default: one process, nothing to install).</summary>
    public string Clustering { get; set; } = "Localhost";

    /// <summary>Silo-to-silo port. Default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port standalone edges (Orleans clients) connect to. Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Whether this process also serves client sockets (the co-hosted edge). Default true.</summary>
    public bool HostEdge { get; set; } = true;

    internal IEnumerable<string> Validate()
    {
        if (!string.Equals(Clustering, "Localhost", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"Cluster:Clustering '{Clustering}' is not supported; use Localhost.";
        }

        if (string.IsNullOrWhiteSpace(ClusterId) || string.IsNullOrWhiteSpace(ServiceId))
        {
            yield return "Cluster:ClusterId and Cluster:ServiceId must not be empty.";
        }

        if (SiloPort is <= 0 or > 65535 || GatewayPort is <= 0 or > 65535 || SiloPort == GatewayPort)
        {
            yield return $"Cluster:SiloPort ({SiloPort}) and Cluster:GatewayPort ({GatewayPort}) must be different ports in 1-65535.";
        }
    }
}
