namespace ImOrleans.EdgeGateway;

/// <summary>The values <c>Cluster:Clustering</c> accepts, for silos and standalone edges alike.</summary>
public static class ClusteringKinds
{
    /// <summary>One silo on this machine, found at a fixed port; nothing to install.</summary>
    public const string Localhost = "Localhost";

    /// <summary>Silos register in Redis (Microsoft.Orleans.Clustering.Redis); edges find their gateways there.</summary>
    public const string Redis = "Redis";
}
