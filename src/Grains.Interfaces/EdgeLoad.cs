namespace ImOrleans.Grains;

/// <summary>An edge node's report for navigation (R8): where clients reach it and how busy it is.</summary>
[GenerateSerializer, Immutable, Alias("ImOrleans.EdgeLoad")]
public sealed record EdgeLoad
{
    /// <summary>The edge's name (<c>Edge:EdgeId</c>); a later report with the same id replaces the earlier one.</summary>
    [Id(0)] public required string EdgeId { get; init; }

    /// <summary>"host:port" clients connect to.</summary>
    [Id(1)] public required string Address { get; init; }

    /// <summary>Open client connections on the edge when it reported.</summary>
    [Id(2)] public int Connections { get; init; }

    /// <summary>How long the report stays valid; an edge not heard from again within it is dropped.</summary>
    [Id(3)] public TimeSpan Lifetime { get; init; }
}
