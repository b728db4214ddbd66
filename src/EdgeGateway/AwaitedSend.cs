using ImOrleans.Grains;
using ImOrleans.Protocol;

namespace ImOrleans.EdgeGateway;

/// <summary>A send waiting in <see cref="SendAnswers"/> for its conversation's answer; told it exactly once.</summary>
internal abstract class AwaitedSend
{
    /// <summary>When it was sent (a timestamp of the edge's clock), for its deadline.</summary>
    public long SentAt { get; set; }

    /// <summary>The message is stored.</summary>
    public abstract void Answered(SendResult result);

    /// <summary>The message was refused, or its answer given up on (<see cref="ErrorCode.Unavailable"/>).</summary>
    public abstract void Refused(ErrorCode code, string reason);
}
