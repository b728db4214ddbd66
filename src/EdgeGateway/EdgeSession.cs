using System.IO.Pipelines;
using System.Threading.Channels;
using ImOrleans.Grains;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;
using Microsoft.AspNetCore.Connections;

namespace ImOrleans.EdgeGateway;

/// <summary>
/// One client connection: a read loop that decodes frames and dispatches them (EdgeSession.Pipeline.cs: side by
/// side once logged in; EdgeSession.Sends.cs: a conversation's sends in the order written), and one writer task that
/// drains the bounded outbound queue into the socket. Responses, pushes and kicks all go through that queue.
/// </summary>
internal sealed partial class EdgeSession
{
    private static readonly TimeSpan WriterDrainTimeout = TimeSpan.FromSeconds(2);

    private readonly ConnectionContext _connection;
    private readonly IGrainFactory _grains;
    private readonly LoginTokenValidator _tokens;
    private readonly EdgeGatewayOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<OutboundFrame> _outbound;
    private readonly long _openedAt;
    private readonly Lock _pushGate = new();

    // Pushes that arrive between registering with the user grain and queueing the login response are
    // held here so the client always sees the login response first. Null once login is answered.
    private List<OutboundFrame>? _heldPushes = [];
    private long _lastReadAt;
    private int _handling;
    private long _lastRenewAt;
    private int _closing;
    private int _renewing;
    private int _renewSoon;

    // After a failed renewal the next waits 2, 4, 8 ... s (at most the renew interval): when the cluster is too
    // busy to answer, every session retrying at every sweep is what keeps it too busy.
    private int _renewFailures;
    private long _renewNotBefore;

    private IUserGrain? _user;
    private SessionObserver? _observer;
    private ISessionObserver? _observerReference;
    private SessionInfo? _info;

    public EdgeSession(ConnectionContext connection, IGrainFactory grains, LoginTokenValidator tokens,
        EdgeGatewayOptions options, TimeProvider time, ILogger logger)
    {
        _connection = connection;
        _grains = grains;
        _tokens = tokens;
        _options = options;
        _time = time;
        _logger = logger;
        _outbound = Channel.CreateBounded<OutboundFrame>(new BoundedChannelOptions(options.OutboundQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _openedAt = _lastReadAt = time.GetTimestamp();
    }

    public string ConnectionId => _connection.ConnectionId;

    /// <summary>The logged-in user, or empty before login.</summary>
    public string UserId => _userId;

    private string _userId = "";

    private bool IsLoggedIn => _info is not null;

    /// <summary>The session id given at login, or null before.</summary>
    public string? SessionId => _info?.SessionId;

    public async Task RunAsync()
    {
        var writer = Task.Run(RunWriterAsync);
        try
        {
            await ReadLoopAsync();
        }
        catch (Exception ex) when (ex is ConnectionResetException or ConnectionAbortedException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            Log.ConnectionLost(_logger, ConnectionId, ex.Message);
        }
        finally
        {
            _outbound.Writer.TryComplete();
            await writer.WaitAsync(WriterDrainTimeout, _time).ContinueWith(static _ => { }, TaskScheduler.Default);
            await UnregisterAsync();
        }
    }

    private async Task ReadLoopAsync()
    {
        var input = _connection.Transport.Input;
        while (true)
        {
            var result = await input.ReadAsync();
            if (result.IsCanceled)
            {
                return;
            }

            Volatile.Write(ref _lastReadAt, _time.GetTimestamp());
            var buffer = result.Buffer;
            try
            {
                while (true)
                {
                    var status = FrameReader.TryRead(ref buffer, _options.MaxFrameSize, out var frame, out var error);
                    if (status == FrameReadStatus.Incomplete)
                    {
                        break;
                    }

                    if (status == FrameReadStatus.Invalid)
                    {
                        RejectStream(buffer, error);
                        return;
                    }

                    if (!await DispatchAsync(frame))
                    {
                        return;
                    }
                }

                if (result.IsCompleted)
                {
                    return;
                }
            }
            finally
            {
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
    }

    private void RejectStream(System.Buffers.ReadOnlySequence<byte> buffer, ErrorCode error)
    {
        var command = CommandCode.None;
        uint requestId = 0;
        if (error == ErrorCode.FrameTooLarge)
        {
            FrameReader.TryPeekIds(buffer, out command, out requestId);
        }

        var reason = error == ErrorCode.FrameTooLarge
            ? $"frame body exceeds the maximum of {_options.MaxFrameSize} bytes"
            : "frame header is malformed (magic, version or reserved bits)";
        Log.StreamRejected(_logger, ConnectionId, error, reason);
        Enqueue(OutboundFrame.Error(command, requestId, error, reason));
        CloseAfterFlush();
    }

    private async Task RunWriterAsync()
    {
        var reader = _outbound.Reader;
        var output = _connection.Transport.Output;
        try
        {
            while (await reader.WaitToReadAsync())
            {
                var written = 0;
                while (written < 256 && reader.TryRead(out var frame))
                {
                    FrameWriter.Write(output, frame.Command, frame.Flags, frame.RequestId, frame.Body);
                    written++;
                }

                var flush = await output.FlushAsync();
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or ConnectionAbortedException or InvalidOperationException or ObjectDisposedException)
        {
            Log.ConnectionLost(_logger, ConnectionId, ex.Message);
        }
    }

    /// <summary>Queues a response; a full queue means the client is not reading.</summary>
    private void Enqueue(OutboundFrame frame)
    {
        if (!_outbound.Writer.TryWrite(frame))
        {
            OnQueueFull();
        }
    }

    public void EnqueuePush(CommandCode command, Google.Protobuf.IMessage body)
    {
        var frame = OutboundFrame.Push(command, body);
        EdgeMetrics.Pushed();
        lock (_pushGate)
        {
            if (_heldPushes is not null)
            {
                _heldPushes.Add(frame);
                return;
            }
        }

        Enqueue(frame);
    }

    /// <summary>Queues the login response, then releases pushes that arrived while login was completing.</summary>
    private void EnqueueLoginResponse(OutboundFrame response)
    {
        lock (_pushGate)
        {
            Enqueue(response);
            foreach (var held in _heldPushes!)
            {
                Enqueue(held);
            }

            _heldPushes = null;
        }
    }

    private void OnQueueFull()
    {
        if (Volatile.Read(ref _closing) != 0)
        {
            return;
        }

        // The client is not reading: no frame could reach it anyway. Drop the connection; the client
        // reconnects and resyncs by seq, so nothing stored is lost.
        Log.SlowConsumer(_logger, ConnectionId, _userId, _options.OutboundQueueCapacity);
        EdgeMetrics.Closed("slow_consumer");
        Abort("slow consumer: outbound queue full");
    }

    /// <summary>Tells the client why, then closes once the queue is written.</summary>
    public void Kick(KickReason reason, string message)
    {
        Log.Kicked(_logger, ConnectionId, _userId, reason, message);
        EdgeMetrics.Closed("kicked");
        _outbound.Writer.TryWrite(OutboundFrame.Push(CommandCode.Kick, new KickNotice { Reason = (uint)reason, Message = message }));
        CloseAfterFlush();
    }

    /// <summary>Stops reading and lets the writer drain what is queued; the connection closes when both are done.</summary>
    private void CloseAfterFlush()
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        _outbound.Writer.TryComplete();
        _connection.Transport.Input.CancelPendingRead();
    }

    public void Abort(string reason)
    {
        Interlocked.Exchange(ref _closing, 1);
        _outbound.Writer.TryComplete();
        _connection.Abort(new ConnectionAbortedException(reason));
    }

    /// <summary>
    /// Renews the grain registration at the next sweep, and at every sweep until it succeeds, instead of waiting out
    /// the renew interval: a silo died, and a user grain it hosted comes back elsewhere without this session.
    /// </summary>
    public void RenewSoon() => Volatile.Write(ref _renewSoon, 1);

    /// <summary>Called by the sweeper: enforces the handshake and idle deadlines and renews the grain registration.</summary>
    public void CheckDeadlines(long now)
    {
        if (Volatile.Read(ref _closing) != 0)
        {
            return;
        }

        // A login being handled is the server being slow, not the client: the handshake clock counts only until the
        // login arrives and again if it is refused (like the idle clock, which stops while a request is handled).
        if (!IsLoggedIn && Volatile.Read(ref _handling) == 0 && _time.GetElapsedTime(_openedAt, now) > _options.HandshakeTimeout)
        {
            Log.HandshakeTimedOut(_logger, ConnectionId);
            EdgeMetrics.Closed("handshake_timeout");
            Abort("no login within the handshake timeout");
            return;
        }

        if (Volatile.Read(ref _handling) == 0 && _time.GetElapsedTime(Volatile.Read(ref _lastReadAt), now) > _options.IdleTimeout)
        {
            Log.IdleTimedOut(_logger, ConnectionId, _userId);
            EdgeMetrics.Closed("idle");
            Abort("idle timeout");
            return;
        }

        if (IsLoggedIn
            && (Volatile.Read(ref _renewSoon) != 0 || _time.GetElapsedTime(Volatile.Read(ref _lastRenewAt), now) > _options.SessionRenewInterval)
            && now >= Volatile.Read(ref _renewNotBefore)
            && Interlocked.Exchange(ref _renewing, 1) == 0)
        {
            _ = RenewAsync(now);
        }
    }

    private async Task RenewAsync(long now)
    {
        try
        {
            if (await _user!.RenewSession(_info!.SessionId, _observerReference!))
            {
                EdgeMetrics.Renewed("ok");
            }
            else
            {
                // The user grain lost this session (its silo died, or it was deactivated) and pushed nothing to it
                // since: whatever was stored meanwhile reaches the client only if it syncs, so it is told to, now.
                await _user.Connect(_info, _observerReference!);
                EdgeMetrics.Renewed("registered_again");
                Log.RegisteredAgain(_logger, ConnectionId, _userId);
                EnqueuePush(CommandCode.Resync, new ResyncNotice { Reason = "the session was registered again; pushes may have been missed" });
            }

            Volatile.Write(ref _lastRenewAt, now);
            Volatile.Write(ref _renewSoon, 0);
            _renewFailures = 0;
        }
        catch (Exception ex)
        {
            Log.RenewFailed(_logger, ex, ConnectionId, _userId);
            EdgeMetrics.Renewed("failed");
            _renewFailures = Math.Min(_renewFailures + 1, 16);
            var backoff = Math.Min(Math.Pow(2, _renewFailures), _options.SessionRenewInterval.TotalSeconds) * (0.8 + (0.4 * Random.Shared.NextDouble()));
            Volatile.Write(ref _renewNotBefore, _time.GetTimestamp() + (long)(backoff * _time.TimestampFrequency));
        }
        finally
        {
            Volatile.Write(ref _renewing, 0);
        }
    }

    private async Task UnregisterAsync()
    {
        if (_user is null || _info is null)
        {
            return;
        }

        try
        {
            await _user.Disconnect(_info.SessionId);
        }
        catch (Exception ex)
        {
            // The grain's lease expires the session anyway; this only makes presence prompt.
            Log.UnregisterFailed(_logger, ex, ConnectionId, _userId);
        }
        finally
        {
            if (_observerReference is not null)
            {
                _grains.DeleteObjectReference<ISessionObserver>(_observerReference);
            }
        }
    }
}
