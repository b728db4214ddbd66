namespace ImOrleans.Grains;

/// <summary>
/// The live edge nodes of the cluster, for navigation (R8). One instance, keyed <see cref="Key"/>. Edges
/// report every couple of seconds; an edge whose last report is older than the lifetime it gave drops out,
/// so a dead edge disappears within seconds. Nothing is persisted: after a failover the directory
/// refills from the next round of reports.
/// </summary>
[Alias("ImOrleans.IEdgeDirectoryGrain")]
public interface IEdgeDirectoryGrain : IGrainWithStringKey
{
    /// <summary>The one directory's key (non-hex prefix, see <see cref="GrainKeys"/>).</summary>
    public const string Key = "nav:edges";

    /// <summary>Records or refreshes an edge's address and load.</summary>
    Task Report(EdgeLoad load);

    /// <summary>Drops an edge at once (it is shutting down).</summary>
    Task Remove(string edgeId);

    /// <summary>The live edges, least loaded first (ties by edge id).</summary>
    Task<IReadOnlyList<EdgeLoad>> GetLiveEdges();
}
