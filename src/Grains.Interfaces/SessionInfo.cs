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
}
