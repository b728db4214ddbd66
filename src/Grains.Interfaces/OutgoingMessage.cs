using ImOrleans.Protocol.Messages;

namespace ImOrleans.Grains;

/// <summary>What a client asks to send; the conversation grain gives it a seq and stores it.</summary>
[GenerateSerializer, Immutable, Alias("ImOrleans.OutgoingMessage")]
public sealed record OutgoingMessage
{
    [Id(0)] public string ClientMsgId { get; init; } = "";
    [Id(1)] public MessageType Type { get; init; }
    [Id(2)] public string Content { get; init; } = "";
    [Id(3)] public IReadOnlyList<AttachmentInfo> Attachments { get; init; } = [];
    [Id(4)] public long ClientTimeMs { get; init; }
    /// <summary>Set by the client on a retry; only then is the store searched for an earlier copy.</summary>
    [Id(5)] public bool Resend { get; init; }
}
