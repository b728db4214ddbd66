using ImOrleans.Protocol;

namespace ImOrleans.Client;

/// <summary>The server answered a request with an error frame (or rejected the login).</summary>
public sealed class ImServerException(ErrorCode code, string reason)
    : Exception($"The server answered {code} ({(uint)code}): {reason}")
{
    public ErrorCode Code { get; } = code;

    /// <summary>The server's human-readable explanation.</summary>
    public string Reason { get; } = reason;
}
