using System.Globalization;
using System.Net;
using System.Net.Security;

namespace ImOrleans.Client;

/// <summary>
/// Settings of an <see cref="ImClient"/>. Immutable: build one with an object initializer (or <c>with</c>) and
/// hand it to the client; the client validates it once, in its constructor.
/// </summary>
public sealed record ImClientOptions
{
    /// <summary>
    /// Edge addresses (<see cref="DnsEndPoint"/> or <see cref="IPEndPoint"/>), tried in order with
    /// <see cref="ConnectTimeout"/> each. The one that worked last is tried first next time (R8).
    /// Default: empty, so either this or <see cref="EndpointProvider"/> must be set.
    /// </summary>
    public IReadOnlyList<EndPoint> Endpoints { get; init; } = [];

    /// <summary>
    /// Navigation (R8): when set, asked for the edge list before every connect round instead of using
    /// <see cref="Endpoints"/>; the list is expected to be load-balanced by whoever answers. Default: null.
    /// </summary>
    public Func<CancellationToken, ValueTask<IReadOnlyList<EndPoint>>>? EndpointProvider { get; init; }

    /// <summary>The user to log in as. Required.</summary>
    public required string UserId { get; init; }

    /// <summary>Stable per installation; a second login with the same device id replaces the first. Default: "default".</summary>
    public string DeviceId { get; init; } = "default";

    /// <summary>Free text sent at login ("android", "ios", "web", "console"). Default: "dotnet".</summary>
    public string Platform { get; init; } = "dotnet";

    /// <summary>
    /// Returns the token for the login frame. Called once per connect round (the first connect and every
    /// reconnect), so it can refresh an expired token. Required.
    /// </summary>
    public required Func<CancellationToken, ValueTask<string>> TokenProvider { get; init; }

    /// <summary>
    /// TLS settings; when set, every link is wrapped in TLS (R1, R30). A null <c>TargetHost</c> is filled
    /// with the endpoint's host name. Default: null (plain TCP).
    /// </summary>
    public SslClientAuthenticationOptions? Tls { get; init; }

    /// <summary>How long one endpoint gets to accept the TCP (and TLS) connection before the next is tried. Default: 5 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often a heartbeat is sent (R6). The server's <c>heartbeat_interval_ms</c> from the login answer wins
    /// when it is given, and the interval is never more than a third of the server's idle timeout. Default: 5 s.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// When nothing at all has been read from the link for this long, it is declared dead, closed and
    /// reconnected (R6, R9). Never less than two heartbeat intervals. Default: 15 s.
    /// </summary>
    public TimeSpan DeadLinkTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Deadline of every request other than a send, including the login and the time spent waiting for a link
    /// during a reconnect; past it the call throws <see cref="TimeoutException"/> (R26). Default: 10 s.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A send not acknowledged within this time is sent again with the same client message id and
    /// <c>resend = true</c> (R16); so is every unacknowledged send after a reconnect. Default: 15 s.
    /// </summary>
    public TimeSpan SendAckTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Least time between two delivery acks of one group conversation. A group pushes delivery positions to nobody (it
    /// only records them), and a busy group would otherwise draw an ack from every online member for nearly every
    /// message; the position is acked when the interval has passed. 1:1 acks go out at once (the sender is waiting to
    /// see "delivered"). Zero: group acks like 1:1. Default: 1 s.
    /// </summary>
    public TimeSpan GroupAckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Wait before the first reconnect attempt; it doubles after each failure up to <see cref="ReconnectMaxDelay"/> (R7). Default: 1 s.</summary>
    public TimeSpan ReconnectInitialDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the reconnect backoff. Each wait is shortened by a random 0-20 % so clients of a failed node spread out. Default: 30 s.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Reconnect attempts in a row before the client gives up: the state becomes
    /// <see cref="ImClientState.Disconnected"/> and it waits for <see cref="ImClient.NotifyNetworkChanged"/>.
    /// 0 disables automatic reconnects. Sends stay queued meanwhile. Default: 10.
    /// </summary>
    public int MaxReconnectAttempts { get; init; } = 10;

    /// <summary>
    /// Bound of the per-link frame queue and of the send queue. When full, callers wait for room
    /// (back-pressure; a request's wait counts toward its timeout). Default: 1024.
    /// </summary>
    public int OutboundQueueCapacity { get; init; } = 1024;

    /// <summary>
    /// Bound of the queue between the socket and the event handlers. When handlers fall this far behind, the
    /// client stops reading the socket; if that lasts, the server drops the session as a slow consumer (or the
    /// client sees a dead link), and the client reconnects and resyncs by seq, so nothing is lost. Default: 4096.
    /// </summary>
    public int InboundQueueCapacity { get; init; } = 4096;

    /// <summary>Largest frame body accepted from the server; a bigger length in a header closes the link. Default: 4 MiB.</summary>
    public int MaxFrameBodySize { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// How many of the newest messages are fetched (and raised) for a conversation this client instance has not
    /// seen before (R14); older ones are left to <see cref="ImClient.PullMessagesAsync"/>. The user's read position
    /// does not shorten the page: read state is for unread counts, not for what a device has. 0 fetches none
    /// (only new messages are reported). Default: 20.
    /// </summary>
    public int InitialSyncLimit { get; init; } = 20;

    /// <summary>
    /// Whether <see cref="ImClient.MessageReceived"/> is raised for the server's echo of a message this client
    /// instance sent (the server pushes every message to every session, the sender's included). Messages the
    /// same user sent from other devices are always raised. Default: false (the send's result is the confirmation).
    /// </summary>
    public bool RaiseOwnSends { get; init; }

    /// <summary>Clock for timeouts, heartbeats and backoff; tests substitute a fake one. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Parses "host:port" ("[::1]:7100" for IPv6 literals) into an endpoint.</summary>
    public static EndPoint ParseEndpoint(string hostAndPort)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hostAndPort);
        var colon = hostAndPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostAndPort.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is <= 0 or > 65535)
        {
            throw new FormatException($"'{hostAndPort}' is not host:port.");
        }

        var host = hostAndPort[..colon].Trim('[', ']');
        return IPAddress.TryParse(host, out var address) ? new IPEndPoint(address, port) : new DnsEndPoint(host, port);
    }

    internal void Validate()
    {
        if (Endpoints.Count == 0 && EndpointProvider is null)
        {
            throw new ArgumentException("Set Endpoints or EndpointProvider.", nameof(Endpoints));
        }

        if (!Protocol.Identifiers.IsValidUserId(UserId))
        {
            throw new ArgumentException($"'{UserId}' is not a valid user id.", nameof(UserId));
        }

        ArgumentNullException.ThrowIfNull(TokenProvider);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        Positive(ConnectTimeout, nameof(ConnectTimeout));
        Positive(HeartbeatInterval, nameof(HeartbeatInterval));
        Positive(DeadLinkTimeout, nameof(DeadLinkTimeout));
        Positive(RequestTimeout, nameof(RequestTimeout));
        Positive(SendAckTimeout, nameof(SendAckTimeout));
        Positive(ReconnectInitialDelay, nameof(ReconnectInitialDelay));
        if (ReconnectMaxDelay < ReconnectInitialDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(ReconnectMaxDelay), "Must not be less than ReconnectInitialDelay.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(GroupAckInterval, TimeSpan.Zero, nameof(GroupAckInterval));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxReconnectAttempts);
        ArgumentOutOfRangeException.ThrowIfLessThan(OutboundQueueCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(InboundQueueCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrameBodySize, 1024);
        ArgumentOutOfRangeException.ThrowIfNegative(InitialSyncLimit);
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, "Must be positive.");
        }
    }
}
