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
    /// <summary>
    /// The session the send came from: it learns the seq from its ack, so the new message is pushed to every other
    /// session of the members but not back to it. Empty when the message has no sending session (notices, events).
    /// </summary>
    [Id(6)] public string OriginSessionId { get; init; } = "";

    /// <summary>
    /// The sending edge's token for the answer, when sent with <see cref="IConversationGrain.SendWithReply"/>; 0
    /// otherwise. Carried here rather than as an argument of its own, which Orleans would box at each end.
    /// </summary>
    [Id(7)] public long ReplyToken { get; init; }
}
