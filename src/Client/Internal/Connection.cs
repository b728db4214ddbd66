using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Threading.Channels;
using Google.Protobuf;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Client.Internal;

/// <summary>
/// One socket: a read loop that matches answers to pending requests and hands pushes on, one write loop that
/// drains the bounded outbound queue and flushes once per batch, and a heartbeat loop that also judges the
/// link by what was read (R6, R9). <see cref="Close"/> can only start once; every exit path goes through it.
/// </summary>
internal sealed partial class Connection
{
    private const int MaxFramesPerFlush = 64;

    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly Channel<OutboundFrame> _outbound;
    private readonly ConcurrentDictionary<uint, PendingRequest> _pending = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Func<IMessage, CancellationToken, ValueTask> _onPush;
    private readonly TimeProvider _time;
    private readonly int _maxBodySize;
    private Task _readLoop = Task.CompletedTask;
    private Task _writeLoop = Task.CompletedTask;
    private Task _heartbeatLoop = Task.CompletedTask;
    private long _lastReadTimestamp;
    private uint _lastRequestId;
    private int _closeStarted;
    private ImServerException? _connectionError;

    private Connection(Stream stream, EndPoint remote, ImClientOptions options, Func<IMessage, CancellationToken, ValueTask> onPush)
    {
        _stream = stream;
        RemoteEndPoint = remote;
        _reader = PipeReader.Create(stream);
        _writer = PipeWriter.Create(stream);
        _outbound = Channel.CreateBounded<OutboundFrame>(new BoundedChannelOptions(options.OutboundQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _onPush = onPush;
        _time = options.TimeProvider;
        _maxBodySize = options.MaxFrameBodySize;
        _lastReadTimestamp = _time.GetTimestamp();
    }

    public EndPoint RemoteEndPoint { get; }

    public bool IsClosed => Volatile.Read(ref _closeStarted) != 0;

    /// <summary>Cancelled the moment <see cref="Close"/> starts.</summary>
    public CancellationToken Closing => _closing.Token;

    /// <summary>Completes (never faults) once the link is closed and its loops have ended.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Why the link closed; null when this side closed it on purpose.</summary>
    public Exception? CloseReason { get; private set; }

    /// <summary>The kick notice the server sent before closing, if it sent one.</summary>
    public KickNotice? Kick { get; private set; }

    /// <summary>Opens the socket (and TLS) within <see cref="ImClientOptions.ConnectTimeout"/> and starts reading and writing.</summary>
    public static async Task<Connection> OpenAsync(
        EndPoint endpoint, ImClientOptions options, Func<IMessage, CancellationToken, ValueTask> onPush, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(options.ConnectTimeout, options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await socket.ConnectAsync(endpoint, linked.Token).ConfigureAwait(false);
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (options.Tls is { } tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(WithTargetHost(tls, endpoint), linked.Token).ConfigureAwait(false);
            }

            var connection = new Connection(stream, endpoint, options, onPush);
            connection.Start();
            return connection;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"Connecting to {endpoint} took longer than {options.ConnectTimeout}.");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends a request and waits for the frame with the same request id. Throws <see cref="ImServerException"/> for
    /// an error frame, <see cref="TimeoutException"/> past <paramref name="timeout"/>, <see cref="ImConnectionException"/>
    /// when the link closes first.
    /// </summary>
    public async Task<T> RequestAsync<T>(CommandCode command, IMessage body, MessageParser<T> parser, TimeSpan timeout, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        cancellationToken.ThrowIfCancellationRequested();
        var requestId = NextRequestId();
        var pending = new PendingRequest<T>(parser);
        _pending[requestId] = pending;
        if (IsClosed)
        {
            // Close may have swept the table before this entry was added.
            FailPending(requestId, ClosedError());
        }

        using var timer = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        using var registration = linked.Token.Register(() => FailPending(requestId, cancellationToken.IsCancellationRequested
            ? new OperationCanceledException(cancellationToken)
            : new TimeoutException($"{command} request {requestId} got no answer from {RemoteEndPoint} within {timeout}.")));
        try
        {
            await _outbound.Writer.WriteAsync(new OutboundFrame(command, requestId, body), linked.Token).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            FailPending(requestId, ClosedError());
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // The registration above has already failed the request with the right exception.
        }

        return await pending.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Queues an ack flagged <see cref="FrameFlags.NoReply"/>: the server answers it only if it refuses it, and that
    /// answer finds no pending request and is dropped (the inbox never retried a refused ack). Throws
    /// <see cref="ImConnectionException"/> when the link is closed.
    /// </summary>
    public async Task PostAckAsync(CommandCode command, IMessage body)
    {
        try
        {
            await _outbound.Writer.WriteAsync(new OutboundFrame(command, NextRequestId(), body, FrameFlags.NoReply)).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw ClosedError();
        }
    }

    /// <summary>Starts heartbeats once the login has told the interval.</summary>
    public void StartHeartbeat(TimeSpan interval, TimeSpan deadLinkTimeout) =>
        _heartbeatLoop = HeartbeatLoopAsync(interval, deadLinkTimeout);

    /// <summary>Closes the link; only the first call does anything. Pending requests fail at once.</summary>
    public void Close(Exception? reason)
    {
        if (Interlocked.Exchange(ref _closeStarted, 1) != 0)
        {
            return;
        }

        CloseReason = reason;
        _outbound.Writer.TryComplete();
        _closing.Cancel();
        var error = ClosedError();
        foreach (var requestId in _pending.Keys)
        {
            FailPending(requestId, error);
        }

        _ = FinishCloseAsync();
    }

    private void Start()
    {
        _readLoop = ReadLoopAsync();
        _writeLoop = WriteLoopAsync();
    }

    private uint NextRequestId()
    {
        uint id;
        do
        {
            id = Interlocked.Increment(ref _lastRequestId);
        }
        while (id == 0);
        return id;
    }

    private void FailPending(uint requestId, Exception error)
    {
        if (_pending.TryRemove(requestId, out var pending))
        {
            pending.Fail(error);
        }
    }

    private ImConnectionException ClosedError() =>
        new($"The link to {RemoteEndPoint} is closed.", CloseReason);

    private async Task FinishCloseAsync()
    {
        try
        {
            await _readLoop.ConfigureAwait(false);
            await _writeLoop.ConfigureAwait(false);
            await _heartbeatLoop.ConfigureAwait(false);
            await _reader.CompleteAsync().ConfigureAwait(false);
            await _writer.CompleteAsync().ConfigureAwait(false);
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // Tearing down a socket the peer already dropped; there is nobody left to tell.
        }
        finally
        {
            _closed.TrySetResult();
        }
    }

    private static SslClientAuthenticationOptions WithTargetHost(SslClientAuthenticationOptions tls, EndPoint endpoint)
    {
        if (tls.TargetHost is not null)
        {
            return tls;
        }

        // Copy rather than fill in the caller's (shared, mutable) options object.
        return new SslClientAuthenticationOptions
        {
            TargetHost = endpoint switch
            {
                DnsEndPoint dns => dns.Host,
                IPEndPoint ip => ip.Address.ToString(),
                _ => endpoint.ToString(),
            },
            RemoteCertificateValidationCallback = tls.RemoteCertificateValidationCallback,
            ClientCertificates = tls.ClientCertificates,
            EnabledSslProtocols = tls.EnabledSslProtocols,
            CertificateRevocationCheckMode = tls.CertificateRevocationCheckMode,
            ApplicationProtocols = tls.ApplicationProtocols,
        };
    }
}
