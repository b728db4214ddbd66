using ImOrleans.Protocol;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

// Live sessions (R22, R23): one per device, in memory only. Each expires unless renewed within the
// lease (style rule 9); pushes to them are one-way and best-effort, durability comes from seqs.
internal sealed partial class UserGrain
{
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    /// <summary>Sessions of an edge hosted in this process, handed pushes directly; null where no edge is hosted.</summary>
    private ILocalSessions? _localSessions;
    private long _onlineSinceMs;

    private TimeSpan SessionLease => options.Value.SessionLease;

    public async Task Connect(SessionInfo session, ISessionObserver observer)
    {
        if (string.IsNullOrEmpty(session?.SessionId) || observer is null)
        {
            throw new RequestRejectedException(ErrorCode.InvalidArgument, "A session id and an observer are required.");
        }

        var now = time.GetUtcNow();
        var wasOnline = _sessions.Count > 0;
        if (session.DeviceId.Length > 0)
        {
            // R5: a new login on the same device replaces the old session.
            foreach (var old in _sessions.Values.Where(s => s.Info.DeviceId == session.DeviceId && s.Info.SessionId != session.SessionId).ToList())
            {
                _sessions.Remove(old.Info.SessionId);
                LogSessionReplaced(logger, _userId, old.Info.SessionId, session.SessionId);
                Send(old, o => o.OnKicked(KickReason.ReplacedByNewLogin, "Logged in again on the same device."));
            }
        }

        _sessions[session.SessionId] = new Session(session, observer, now + SessionLease);
        LogSessionConnected(logger, _userId, session.SessionId, session.DeviceId, session.EdgeId);
        if (!wasOnline)
        {
            _onlineSinceMs = now.ToUnixTimeMilliseconds();

            // Before the login is answered, so the client's sync sees the groups' newest seqs.
            await AnnounceOnlineAsync();
        }
        else
        {
            AnnounceEdgesIfChanged();
        }

        await TellWatchersIfEdgesGrewAsync();
    }

    public Task<bool> RenewSession(string sessionId, ISessionObserver observer)
    {
        if (!_sessions.TryGetValue(sessionId, out var session))
        {
            return Task.FromResult(false);
        }

        session.Observer = observer;
        session.ExpiresAt = time.GetUtcNow() + SessionLease;
        return Task.FromResult(true);
    }

    public Task Disconnect(string sessionId)
    {
        if (_sessions.Remove(sessionId))
        {
            LogSessionDisconnected(logger, _userId, sessionId);
            MarkOfflineIfLast();
        }

        return Task.CompletedTask;
    }

    public Task OnReceipt(Receipt receipt)
    {
        Push(receipt, static (observer, r) => observer.OnReceipt(r));
        return Task.CompletedTask;
    }

    public Task<Presence> GetPresence() => Task.FromResult(new Presence
    {
        Online = _sessions.Count > 0,
        SinceMs = _sessions.Count > 0 ? _onlineSinceMs : state.State.LastSeenMs,
        Sessions = _sessions.Count,
    });

    private void StartMaintenanceTimer()
    {
        // Often enough that an expired session lingers at most a third of a lease, and that group online leases are
        // renewed in time; the timer does not keep the grain active.
        var third = Math.Min(SessionLease.Ticks, groupOptions.Value.OnlineLease.Ticks) / 3;
        var period = TimeSpan.FromTicks(Math.Clamp(third, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));
        this.RegisterGrainTimer(OnMaintenanceTimerAsync, period, period);
    }

    private async Task OnMaintenanceTimerAsync()
    {
        var now = time.GetUtcNow();
        foreach (var expired in _sessions.Values.Where(s => s.ExpiresAt <= now).ToList())
        {
            _sessions.Remove(expired.Info.SessionId);
            LogSessionExpired(logger, _userId, expired.Info.SessionId);
            MarkOfflineIfLast();
        }

        RenewGroupPresence();
        ExpireWatchers(now);
        if (_dirty)
        {
            await TryFlushAsync();
        }
    }

    private void MarkOfflineIfLast()
    {
        if (_sessions.Count == 0)
        {
            state.State.LastSeenMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            _dirty = true;
            AnnounceOffline();
        }
    }

    private void Push<T>(T item, Func<ISessionObserver, T, Task> push, string exceptSessionId = "")
    {
        foreach (var session in _sessions.Values)
        {
            if (session.Info.SessionId != exceptSessionId)
            {
                Send(session, item, push);
            }
        }
    }

    private void Send(Session session, Func<ISessionObserver, Task> call) =>
        Send(session, call, static (observer, c) => c(observer));

    /// <summary>
    /// One observer's failure is logged and never stops the others. The item travels beside the call, not in a closure:
    /// pushes run for every message and receipt.
    /// </summary>
    private void Send<T>(Session session, T item, Func<ISessionObserver, T, Task> call)
    {
        try
        {
            // One-way: the task is complete once the call is queued (or, for a session of an edge in this process,
            // once the push is in the session's outbound queue).
            call(_localSessions?.Find(session.Info.SessionId) ?? session.Observer, item).Ignore();
        }
        catch (Exception ex)
        {
            LogPushFailed(logger, ex, _userId, session.Info.SessionId);
        }
    }
}
