using System.Buffers;
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
internal sealed class Connection
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

    private async Task ReadLoopAsync()
    {
        Exception? reason = null;
        try
        {
            while (true)
            {
                var result = await _reader.ReadAsync(_closing.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    Volatile.Write(ref _lastReadTimestamp, _time.GetTimestamp());
                }

                try
                {
                    while (true)
                    {
                        var status = FrameReader.TryRead(ref buffer, _maxBodySize, out var frame, out var error);
                        if (status == FrameReadStatus.Incomplete)
                        {
                            break;
                        }

                        if (status == FrameReadStatus.Invalid)
                        {
                            throw new ImConnectionException($"The server sent a bad frame header ({error}).");
                        }

                        // Dispatch parses the body before its first await, so the slice is still valid.
                        await DispatchAsync(frame.Header, frame.Body).ConfigureAwait(false);
                    }

                    if (result.IsCompleted)
                    {
                        reason = (Exception?)_connectionError
                            ?? (Kick is { } kick ? new ImConnectionException($"Kicked: {(KickReason)kick.Reason}: {kick.Message}")
                                : new ImConnectionException($"{RemoteEndPoint} closed the connection."));
                        break;
                    }
                }
                finally
                {
                    _reader.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            reason = ex is ImConnectionException ? ex : new ImConnectionException($"Reading from {RemoteEndPoint} failed.", ex);
        }

        Close(reason);
    }

    private ValueTask DispatchAsync(FrameHeader header, ReadOnlySequence<byte> body)
    {
        if (header.IsResponse)
        {
            if (header.IsError)
            {
                var error = ParseError(body);
                if (_pending.TryRemove(header.RequestId, out var failed))
                {
                    failed.Fail(error);
                }
                else if (header.RequestId == 0)
                {
                    // A connection-level error (bad frame, not logged in): the server closes right after it.
                    _connectionError = error;
                }
            }
            else if (_pending.TryRemove(header.RequestId, out var pending))
            {
                pending.Complete(body);
            }

            // An answer whose request already timed out is dropped.
            return ValueTask.CompletedTask;
        }

        IMessage? push;
        try
        {
            push = header.Command switch
            {
                CommandCode.MessagePush => MessagePush.Parser.ParseFrom(body),
                CommandCode.ReceiptPush => ReceiptPush.Parser.ParseFrom(body),
                CommandCode.Kick => KickNotice.Parser.ParseFrom(body),
                _ => null,
            };
        }
        catch (InvalidProtocolBufferException)
        {
            // A push we cannot decode is dropped: its seq shows up as a gap and is pulled (R15).
            return ValueTask.CompletedTask;
        }

        if (push is KickNotice notice)
        {
            Kick = notice;
            return OnKickAsync(notice);
        }

        return push is null ? ValueTask.CompletedTask : _onPush(push, _closing.Token);
    }

    private async ValueTask OnKickAsync(KickNotice notice)
    {
        await _onPush(notice, _closing.Token).ConfigureAwait(false);

        // The server closes right after a kick; not waiting for it makes the client's reaction prompt either way.
        Close(new ImConnectionException($"Kicked: {(KickReason)notice.Reason}: {notice.Message}"));
    }

    private static ImServerException ParseError(ReadOnlySequence<byte> body)
    {
        try
        {
            var error = ErrorBody.Parser.ParseFrom(body);
            return new ImServerException((ErrorCode)error.Code, error.Reason);
        }
        catch (InvalidProtocolBufferException ex)
        {
            return new ImServerException(ErrorCode.MalformedBody, $"Undecodable error body: {ex.Message}");
        }
    }

    private async Task WriteLoopAsync()
    {
        Exception? reason = null;
        try
        {
            var queue = _outbound.Reader;
            while (await queue.WaitToReadAsync(_closing.Token).ConfigureAwait(false))
            {
                var count = 0;
                while (count < MaxFramesPerFlush && queue.TryRead(out var frame))
                {
                    FrameWriter.Write(_writer, frame.Command, FrameFlags.None, frame.RequestId, frame.Body);
                    count++;
                }

                var flush = await _writer.FlushAsync(_closing.Token).ConfigureAwait(false);
                if (flush.IsCompleted)
                {
                    reason = new ImConnectionException($"{RemoteEndPoint} stopped accepting data.");
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            reason = new ImConnectionException($"Writing to {RemoteEndPoint} failed.", ex);
        }

        Close(reason);
    }

    private async Task HeartbeatLoopAsync(TimeSpan interval, TimeSpan deadLinkTimeout)
    {
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_closing.Token).ConfigureAwait(false))
            {
                var silence = _time.GetElapsedTime(Volatile.Read(ref _lastReadTimestamp));
                if (silence >= deadLinkTimeout)
                {
                    Close(new ImConnectionException($"Dead link: nothing read from {RemoteEndPoint} for {silence}."));
                    return;
                }

                _ = HeartbeatAsync(interval);
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // Closed while waiting for the next tick.
        }
    }

    private async Task HeartbeatAsync(TimeSpan timeout)
    {
        try
        {
            await RequestAsync(CommandCode.Heartbeat, new HeartbeatRequest(), HeartbeatResponse.Parser, timeout, CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or ImConnectionException or ImServerException)
        {
            // The link is judged by what is read (R9), in the heartbeat loop, not by this one answer.
        }
    }

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
