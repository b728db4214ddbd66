using ImOrleans.LoadTest.Metrics;

namespace ImOrleans.LoadTest.Wire;

/// <summary>
/// How the sessions of a chat run send, shared by all of them; the scenario flips <see cref="Sending"/> and
/// <see cref="Opening"/> (and wakes the sessions after each change).
/// </summary>
internal sealed class ChatTraffic(int window, int bodySize, LatencyRecorder latency, int ackDelayMs = 0)
{
    /// <summary>Sends each session keeps unanswered while it opens its conversations.</summary>
    public const int OpeningWindow = 4;

    /// <summary>Sends each session keeps unanswered (closed loop); 0 for open loop, where a pacer schedules sends.</summary>
    public int Window { get; } = window;

    /// <summary>Open loop only: scheduled sends a session may hold before further ones are dropped (and counted).</summary>
    public int MaxBacklog { get; } = 256;

    /// <summary>Bytes of every message's content (the send stamp and filler), at least the stamp's 16.</summary>
    public int BodySize { get; } = Math.Max(bodySize, MessageStamp.Digits);

    public LatencyRecorder Latency { get; } = latency;

    /// <summary>
    /// Open loop: how late each send was written after the time it was due (and stamped with). It is part of every
    /// latency, and it is the load tester's own: its pacer, its wake-ups, its share of the cores.
    /// </summary>
    public LatencyRecorder SendLag { get; } = new();

    /// <summary>
    /// Least time between two delivery acks of one conversation; 0 acks after every read that moved the position
    /// (flagged NoReply, so nothing waits for an answer), as the SDK does. A delay trades ack traffic for staler receipts.
    /// </summary>
    public int AckDelayMs { get; } = ackDelayMs;

    public bool OpenLoop => Window == 0;

    /// <summary>An answer to a send frees a slot for the next one: closed loop, and any run while opening.</summary>
    public bool SendsOnAnswers => Opening || !OpenLoop;

    /// <summary>Group runs: per-seq delivery accounting (null in 1:1 chat).</summary>
    public GroupDeliveryTracker? Group { get; init; }

    public volatile bool Sending;

    /// <summary>
    /// The opening phase: while sending, each session sends one message to each of its contacts in contact order,
    /// <see cref="OpeningWindow"/> unanswered at most, and then nothing more until the flag is cleared.
    /// </summary>
    public volatile bool Opening;
}
