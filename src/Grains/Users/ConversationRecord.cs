using ImOrleans.Protocol.Messages;

namespace ImOrleans.Grains;

/// <summary>A user's durable record of one conversation (R20). Max seq and last message are not kept here: they come from the store.</summary>
[GenerateSerializer, Alias("ImOrleans.ConversationRecord")]
internal sealed class ConversationRecord
{
    [Id(0)] public string ConversationId { get; set; } = "";
    [Id(1)] public ConversationType Type { get; set; }
    [Id(2)] public string PeerId { get; set; } = "";
    [Id(3)] public string Name { get; set; } = "";
    [Id(4)] public string Avatar { get; set; } = "";
    [Id(5)] public long InitSeq { get; set; }
    [Id(6)] public long ReadSeq { get; set; }
    [Id(7)] public bool Muted { get; set; }
    [Id(8)] public bool Quit { get; set; }
    [Id(9)] public string Extra { get; set; } = "";
    /// <summary>Once <see cref="Quit"/>: the last seq the user may see.</summary>
    [Id(10)] public long QuitSeq { get; set; }
}
