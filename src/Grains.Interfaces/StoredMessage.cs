using ImOrleans.Protocol.Messages;

namespace ImOrleans.Grains;

/// <summary>A message as stored under (conversation, seq) and as pushed to sessions.</summary>
[GenerateSerializer, Immutable, Alias("ImOrleans.StoredMessage")]
public sealed record StoredMessage
{
    [Id(0)] public string ConversationId { get; init; } = "";
    [Id(1)] public long Seq { get; init; }
    [Id(2)] public string ClientMsgId { get; init; } = "";
    [Id(3)] public string SenderId { get; init; } = "";
    [Id(4)] public MessageType Type { get; init; }
    [Id(5)] public string Content { get; init; } = "";
    [Id(6)] public IReadOnlyList<AttachmentInfo> Attachments { get; init; } = [];
    [Id(7)] public long ClientTimeMs { get; init; }
    [Id(8)] public long ServerTimeMs { get; init; }
    [Id(9)] public MessageStatus Status { get; init; }
}
