using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

/// <summary>
/// A grain refused a request for a reason the client should see (not a member, bad argument...).
/// The edge turns it into an error frame with <see cref="Code"/> and the message as reason.
/// </summary>
[GenerateSerializer]
[Alias("ImOrleans.RequestRejectedException")]
public sealed class RequestRejectedException : Exception
{
    public RequestRejectedException(ErrorCode code, string reason) : base(reason) => Code = code;

    [Id(0)]
    public ErrorCode Code { get; }
}
