using System.Text.Json.Serialization;

namespace ImOrleans.Grains.Storage;

/// <summary>Attachments are stored as one JSON column: they are read back whole, never queried.</summary>
[JsonSerializable(typeof(List<AttachmentInfo>))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
