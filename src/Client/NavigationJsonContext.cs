using System.Text.Json.Serialization;

namespace ImOrleans.Client;

/// <summary>The navigation answer's JSON (docs/protocol.md, "Navigation"); unknown fields are ignored.</summary>
[JsonSerializable(typeof(NavigationAnswer))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class NavigationJsonContext : JsonSerializerContext;

internal sealed record NavigationAnswer(IReadOnlyList<NavigationEdge>? Edges);

internal sealed record NavigationEdge(string Id, string Address, int Connections);
