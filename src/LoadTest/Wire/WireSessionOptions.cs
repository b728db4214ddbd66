using System.Net;

namespace ImOrleans.LoadTest.Wire;

/// <summary>Per-socket settings of a <see cref="WireSession"/>.</summary>
internal sealed record WireSessionOptions
{
    public required IPEndPoint Server { get; init; }

    /// <summary>Initial receive buffer; it grows when a frame does not fit. Small for idle sessions, larger for chat.</summary>
    public int ReceiveBufferSize { get; init; } = 16 * 1024;

    public int SendBufferSize { get; init; } = 4 * 1024;

    /// <summary>Largest server frame body accepted (history pages can be large).</summary>
    public int MaxFrameBodySize { get; init; } = 4 * 1024 * 1024;

    public TimeSpan LoginTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>These options for session <paramref name="index"/>: the same, on that session's edge.</summary>
    public WireSessionOptions For(LoadTestSettings settings, int index) =>
        settings.ServerFor(index) is var server && server.Equals(Server) ? this : this with { Server = server };
}
