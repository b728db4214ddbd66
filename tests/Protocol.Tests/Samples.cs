using ImOrleans.Protocol.Messages;

namespace ImOrleans.Protocol.Tests;

internal static class Samples
{
    /// <summary>The default body limit of the edge (docs/protocol.md).</summary>
    public const int MaxBodySize = 65_536;

    public static SendMessageRequest ImageMessage() => new()
    {
        ConversationId = Identifiers.SingleConversation("alice", "bob"),
        ClientMsgId = "6f1c2a3e-8d4b-4b7e-9f0a-1c2d3e4f5a6b",
        Type = MessageType.Image,
        Content = "look at this 🐈",
        ClientTimeMs = 1_767_225_600_000,
        Attachments =
        {
            new Attachment { Id = "att-1", Type = "image/jpeg", Name = "cat.jpg", Url = "https://media.example/cat.jpg", Size = 204_800 },
            new Attachment { Id = "att-2", Type = "image/png", Name = "dog.png", Url = "https://media.example/dog.png", Size = 1 },
        },
    };
}
