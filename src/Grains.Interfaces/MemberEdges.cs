namespace ImOrleans.Grains;

/// <summary>
/// Where a user's live sessions are, as a 1:1 conversation grain needs it to push to them itself: the edges holding
/// them (<see cref="IEdgeFanout"/>), each of which finds the user's sessions among its own. Given by the user grain
/// (<see cref="IUserGrain.WatchEdges"/>, <see cref="IConversationGrain.OnMemberEdges"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("ImOrleans.MemberEdges")]
public sealed record MemberEdges
{
    [Id(0)] public IReadOnlyList<IEdgeFanout> Edges { get; init; } = [];

    /// <summary>False when a session's host has no fan-out endpoint: then only the user grain reaches every session.</summary>
    [Id(1)] public bool Complete { get; init; }

    /// <summary>Grows with every change the user grain makes, across its activations: the newest one wins.</summary>
    [Id(2)] public long Version { get; init; }
}
