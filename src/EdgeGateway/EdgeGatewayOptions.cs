namespace ImOrleans.EdgeGateway;

/// <summary>Settings of an edge node, bound from the configuration section <c>Edge</c>.</summary>
public sealed class EdgeGatewayOptions
{
    public const string SectionName = "Edge";

    /// <summary>Address the TCP listener binds. Default 127.0.0.1; use 0.0.0.0 to accept remote clients.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>TCP port for client connections. Default 7100; 0 picks a free port (tests).</summary>
    public int Port { get; set; } = 7100;

    /// <summary>Largest frame body accepted, in bytes. Default 65,536. A longer header closes the connection with FrameTooLarge.</summary>
    public int MaxFrameSize { get; set; } = 64 * 1024;

    /// <summary>How long a new connection may take to log in. Default 10 s; then the connection is closed.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A connection the edge has read nothing from for this long is closed (R6). Default 15 s.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Heartbeat interval told to clients at login. Default 5 s, a third of <see cref="IdleTimeout"/>.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Frames that may wait to be written to one connection. Default 1,024. When a push finds the queue
    /// full the client is a slow consumer: the connection is closed and the client resyncs by seq.
    /// </summary>
    public int OutboundQueueCapacity { get; set; } = 1024;

    /// <summary>
    /// Requests of one connection handled at the same time (pipelining). Default 32. Sends to one conversation are
    /// still handled one after another, in the order they arrived; when this many are in flight the connection's
    /// next frames wait unread.
    /// </summary>
    public int MaxRequestsInFlight { get; set; } = 32;

    /// <summary>
    /// Give every connection a receive buffer while it waits for data, instead of waiting first and taking a buffer
    /// when bytes arrive. Default false: an idle connection then holds no buffer, which is what most connections of an
    /// IM server are. True reads with one system call fewer; on two cores it carried 4-12 % more closed-loop chat,
    /// no change at 8,000 msgs/s, and 4 KiB more memory per connection (docs/benchmarks.md, session 14, item 7).
    /// Applies to every listener of the process (Kestrel's socket transport).
    /// </summary>
    public bool ReceiveBufferWhileIdle { get; set; }

    /// <summary>How often a session renews its registration with the user grain. Default 60 s (the grain's lease is longer).</summary>
    public TimeSpan SessionRenewInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a 1:1 send waits for its conversation's answer before the client is told Unavailable and resends
    /// (deduplicated by its client message id). Checked at every sweep. Default 30 s, as long as a grain call waits.
    /// </summary>
    public TimeSpan SendAnswerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often idle and handshake deadlines are checked. Default 1 s.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Name of this edge node in logs and session records. Default: host name and process id.</summary>
    public string EdgeId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    internal IEnumerable<string> Validate()
    {
        if (!System.Net.IPAddress.TryParse(ListenAddress, out _))
        {
            yield return $"Edge:ListenAddress '{ListenAddress}' is not an IP address.";
        }

        if (Port is < 0 or > 65535)
        {
            yield return $"Edge:Port {Port} is outside 0-65535.";
        }

        if (MaxFrameSize is < 1024 or > 16 * 1024 * 1024)
        {
            yield return $"Edge:MaxFrameSize {MaxFrameSize} is outside 1024-16777216 bytes.";
        }

        if (HeartbeatInterval <= TimeSpan.Zero || IdleTimeout <= HeartbeatInterval)
        {
            yield return $"Edge:IdleTimeout ({IdleTimeout}) must be longer than Edge:HeartbeatInterval ({HeartbeatInterval}), both positive.";
        }

        if (HandshakeTimeout <= TimeSpan.Zero || SessionRenewInterval <= TimeSpan.Zero || SweepInterval <= TimeSpan.Zero || SendAnswerTimeout <= TimeSpan.Zero)
        {
            yield return "Edge:HandshakeTimeout, Edge:SessionRenewInterval, Edge:SweepInterval and Edge:SendAnswerTimeout must be positive.";
        }

        if (MaxRequestsInFlight is < 1 or > 1024)
        {
            yield return $"Edge:MaxRequestsInFlight {MaxRequestsInFlight} is not between 1 and 1024.";
        }

        if (OutboundQueueCapacity < 16)
        {
            yield return $"Edge:OutboundQueueCapacity {OutboundQueueCapacity} is below 16.";
        }
    }
}
