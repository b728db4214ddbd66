using ImOrleans.Grains;

namespace ImOrleans.Silo;

/// <summary>
/// <c>GET /navigation</c> (R8): the live edges' client addresses, least loaded first, as JSON
/// (format in docs/protocol.md, "Navigation"). Clients ask it before connecting and try the edges in order.
/// </summary>
internal static class NavigationEndpoint
{
    public static IEndpointRouteBuilder MapNavigation(this IEndpointRouteBuilder app)
    {
        app.MapGet("/navigation", async (IGrainFactory grains, CancellationToken cancellationToken) =>
        {
            var edges = await grains.GetGrain<IEdgeDirectoryGrain>(IEdgeDirectoryGrain.Key).GetLiveEdges().WaitAsync(cancellationToken);
            return Results.Ok(new NavigationResponse([.. edges.Select(e => new NavigationEdge(e.EdgeId, e.Address, e.Connections))]));
        });
        return app;
    }

    /// <summary>The body of a navigation answer.</summary>
    internal sealed record NavigationResponse(IReadOnlyList<NavigationEdge> Edges);

    /// <summary>One live edge: its id, the "host:port" clients connect to, and its open connections at its last report.</summary>
    internal sealed record NavigationEdge(string Id, string Address, int Connections);
}
