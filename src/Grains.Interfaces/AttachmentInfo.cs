namespace ImOrleans.Grains;

/// <summary>Metadata of a file uploaded elsewhere; the message carries only its URL.</summary>
[GenerateSerializer, Immutable, Alias("ImOrleans.AttachmentInfo")]
public sealed record AttachmentInfo
{
    [Id(0)] public string Id { get; init; } = "";
    [Id(1)] public string Type { get; init; } = "";
    [Id(2)] public string Name { get; init; } = "";
    [Id(3)] public string Url { get; init; } = "";
    [Id(4)] public long Size { get; init; }
}
