using ImOrleans.Protocol;

namespace ImOrleans.Client;

/// <summary>Raised by <see cref="ImClient.Kicked"/> when the server says why it is closing the session.</summary>
public sealed class KickedEventArgs(KickReason reason, string message) : EventArgs
{
    public KickReason Reason { get; } = reason;

    public string Message { get; } = message;

    /// <summary>
    /// True for <see cref="KickReason.ReplacedByNewLogin"/> and <see cref="KickReason.KickedByAdmin"/>: the client
    /// will not reconnect. For the other reasons it reconnects and resyncs as after any lost link.
    /// </summary>
    public bool IsFinal => Reason is KickReason.ReplacedByNewLogin or KickReason.KickedByAdmin;
}
