namespace ImOrleans.Grains;

/// <summary>One logged-in connection of a user, as the edge registers it with the user grain.</summary>
[GenerateSerializer, Immutable, Alias("ImOrleans.SessionInfo")]
public sealed record SessionInfo
{
    [Id(0)] public string SessionId { get; init; } = "";
    [Id(1)] public string DeviceId { get; init; } = "";
    [Id(2)] public string Platform { get; init; } = "";
    /// <summary>The edge node holding the connection.</summary>
    [Id(3)] public string EdgeId { get; init; } = "";
    /// <summary>The edge's fan-out endpoint for group messages; null when the session's host has none (its groups then push through the user grain).</summary>
    [Id(4)] public IEdgeFanout? Edge { get; init; }
}
