using System.Net;
using System.Net.Sockets;
using System.Text;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.LoadTest.Wire;

/// <summary>
/// One synthetic user on one socket, speaking the wire protocol directly (docs/protocol.md) so the load tester
/// is not the bottleneck: one receive buffer and one send buffer per socket, one read loop that cuts frames in
/// place and reads push fields without building messages, and one writer loop that drains everything due
/// (heartbeat, coalesced delivery acks, sends) into one buffer and writes it with one socket call.
/// The steady-state message path allocates nothing.
/// </summary>
internal sealed partial class WireSession : IAsyncDisposable
{
    private const int DefaultHeartbeatMs = 5000;

    private readonly object _sync = new();
    private readonly WireSessionOptions _options;
    private readonly byte[] _userIdUtf8;
    private readonly SendBuffer _out;
    private readonly WakeSignal _wake = new();
    private readonly TaskCompletionSource _loggedIn = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Socket? _socket;
    private uint _nextRequestId;
    private volatile bool _closing;
    private long _lastWriteMs;
    private int _heartbeatIntervalMs = DefaultHeartbeatMs;
    private bool _heartbeatDue;

    public WireSession(int index, string userId, WireSessionOptions options, ChatTraffic? traffic = null)
    {
        Index = index;
        UserId = userId;
        _options = options;
        _userIdUtf8 = Encoding.UTF8.GetBytes(userId);
        _out = new SendBuffer(options.SendBufferSize);
        _receive = new byte[options.ReceiveBufferSize];
        _traffic = traffic;
        _lookup = _ledgers.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Index { get; }

    public string UserId { get; }

    public bool IsLoggedIn => _loggedIn.Task.IsCompletedSuccessfully;

    /// <summary>The server closed the link (or it broke) while the session was meant to stay up.</summary>
    public bool Dropped { get; private set; }

    /// <summary>Why the session was dropped: a kick's reason, the server closing the link, or the error that broke it.</summary>
    public string? DropCause { get; private set; }

    /// <summary>The reason of a Kick push, if one came.</summary>
    public KickReason? Kick { get; private set; }

    /// <summary>Completes when the read loop has ended.</summary>
    public Task Closed => _closed.Task;

    /// <summary>
    /// Opens the socket (bound to <paramref name="source"/> when given, to spread ephemeral ports over several
    /// loopback addresses) and logs in. Throws on a refused login, a timeout or a socket error.
    /// </summary>
    public async Task ConnectAndLoginAsync(string token, IPAddress? source, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _socket = socket;
        if (source is not null)
        {
            SourceAddresses.BindWithoutPort(socket, source);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.LoginTimeout);
        try
        {
            await socket.ConnectAsync(_options.Server, timeout.Token).ConfigureAwait(false);
            _ = ReadLoopAsync(socket);
            var request = new LoginRequest { UserId = UserId, Token = token, DeviceId = "loadtest", Platform = "loadtest" };
            FrameWriter.Write(_out, CommandCode.Login, FrameFlags.None, NextRequestId(), request);
            await FlushAsync(socket).ConfigureAwait(false);
            await _loggedIn.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Abort();
            throw new TimeoutException($"{UserId}: no login answer within {_options.LoginTimeout}.");
        }
        catch
        {
            Abort();
            throw;
        }

        _ = WriteLoopAsync(socket);
    }

    /// <summary>Called about once a second by the scenario: queues a heartbeat when the link has been quiet for an interval.</summary>
    public void TickHeartbeat(long nowMs)
    {
        if (!IsLoggedIn || _closing || nowMs - Volatile.Read(ref _lastWriteMs) < _heartbeatIntervalMs)
        {
            return;
        }

        lock (_sync)
        {
            _heartbeatDue = true;
        }

        _wake.Set();
    }

    /// <summary>Wakes the writer (after the scenario turned sending on).</summary>
    public void Wake() => _wake.Set();

    /// <summary>Closes the socket; the session does not count as dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        Abort();
        await _closed.Task.ConfigureAwait(false);
    }

    private void Abort()
    {
        _closing = true;
        _wake.Set();
        _socket?.Dispose();
        if (_socket is null)
        {
            _closed.TrySetResult();
        }
    }

    private uint NextRequestId()
    {
        // Non-zero and wrapping, as docs/protocol.md asks.
        var id = ++_nextRequestId;
        return id == 0 ? ++_nextRequestId : id;
    }

    private async ValueTask FlushAsync(Socket socket)
    {
        var pending = _out.WrittenMemory;
        while (!pending.IsEmpty)
        {
            var sent = await socket.SendAsync(pending, SocketFlags.None).ConfigureAwait(false);
            pending = pending[sent..];
        }

        _out.Clear();
        Volatile.Write(ref _lastWriteMs, Environment.TickCount64);
    }
}
