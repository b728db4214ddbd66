namespace ImOrleans.Grains;

/// <summary>
/// In-memory directory of live edges (see <see cref="IEdgeDirectoryGrain"/>). Expiry is checked on read
/// against this grain's own clock (each entry's deadline = arrival + the lifetime the edge asked for), so
/// edges' clocks never matter. Not reentrant: every call is a few dictionary operations.
/// </summary>
[GrainType("edge-directory")]
internal sealed class EdgeDirectoryGrain(TimeProvider time) : Grain, IEdgeDirectoryGrain
{
    private readonly Dictionary<string, (EdgeLoad Load, DateTimeOffset ExpiresAt)> _edges = new(StringComparer.Ordinal);

    public Task Report(EdgeLoad load)
    {
        ArgumentNullException.ThrowIfNull(load);
        _edges[load.EdgeId] = (load, time.GetUtcNow() + load.Lifetime);
        return Task.CompletedTask;
    }

    public Task Remove(string edgeId)
    {
        _edges.Remove(edgeId);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<EdgeLoad>> GetLiveEdges()
    {
        var now = time.GetUtcNow();
        foreach (var (edgeId, entry) in _edges.Where(e => e.Value.ExpiresAt <= now).ToList())
        {
            _edges.Remove(edgeId);
        }

        IReadOnlyList<EdgeLoad> live = _edges.Values
            .Select(e => e.Load)
            .OrderBy(e => e.Connections)
            .ThenBy(e => e.EdgeId, StringComparer.Ordinal)
            .ToList();
        return Task.FromResult(live);
    }
}
