using System.Collections.Concurrent;
using ImOrleans.Grains;
using ImOrleans.Protocol;
using Microsoft.Extensions.Hosting;

namespace ImOrleans.EdgeGateway;

/// <summary>
/// The live sessions of this edge. One timer sweeps them all (handshake and idle deadlines, lease renewal, and the
/// deadline of every 1:1 send's answer) instead of a timer per connection. On shutdown every session is told to
/// reconnect elsewhere.
/// </summary>
internal sealed class EdgeSessionRegistry(IOptions<EdgeGatewayOptions> options, TimeProvider time, SendAnswers answers) : IHostedService, IDisposable
{
    private readonly ConcurrentDictionary<string, EdgeSession> _sessions = new();

    /// <summary>Logged-in sessions' observers by session id, for grains in this process (<see cref="ILocalSessions"/>, through <see cref="EdgeFanout"/>).</summary>
    private readonly ConcurrentDictionary<string, ISessionObserver> _observers = new(StringComparer.Ordinal);

    /// <summary>Logged-in sessions by user id, for fan-out by user (<see cref="EdgeFanout"/>). Arrays are replaced, never changed.</summary>
    private readonly Dictionary<string, EdgeSession[]> _byUser = new(StringComparer.Ordinal);
    private readonly Lock _byUserGate = new();
    private ITimer? _sweeper;

    /// <summary>Number of open client connections on this edge.</summary>
    public int Count => _sessions.Count;

    /// <summary>Number of logged-in sessions on this edge.</summary>
    public int SessionCount => _observers.Count;

    public void Add(EdgeSession session)
    {
        _sessions[session.ConnectionId] = session;
    }

    public void Remove(EdgeSession session)
    {
        _sessions.TryRemove(session.ConnectionId, out _);
        if (session.SessionId is { } sessionId)
        {
            _observers.TryRemove(sessionId, out _);
        }

        lock (_byUserGate)
        {
            if (_byUser.TryGetValue(session.UserId, out var current))
            {
                EdgeSession[] rest = [.. current.Where(s => s != session)];
                if (rest.Length == 0)
                {
                    _byUser.Remove(session.UserId);
                }
                else
                {
                    _byUser[session.UserId] = rest;
                }
            }
        }
    }

    /// <summary>The session logged in as <see cref="EdgeSession.UserId"/>: group messages for that user reach it from now on.</summary>
    public void AddLoggedIn(EdgeSession session, ISessionObserver observer)
    {
        _observers[session.SessionId!] = observer;
        lock (_byUserGate)
        {
            _byUser[session.UserId] = _byUser.TryGetValue(session.UserId, out var current) ? [.. current, session] : [session];
        }
    }

    /// <summary>The observer of a logged-in session of this edge, or null.</summary>
    public ISessionObserver? Find(string sessionId) => _observers.GetValueOrDefault(sessionId);

    /// <summary>This edge's logged-in sessions of <paramref name="userId"/>.</summary>
    public EdgeSession[] SessionsOf(string userId)
    {
        lock (_byUserGate)
        {
            return _byUser.GetValueOrDefault(userId) ?? [];
        }
    }

    /// <summary>Every session renews its grain registration at the next sweep (see <see cref="EdgeSession.RenewSoon"/>).</summary>
    public void RenewAllSoon()
    {
        foreach (var session in _sessions.Values)
        {
            session.RenewSoon();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        EdgeMetrics.Observe(this);
        var interval = options.Value.SweepInterval;
        _sweeper = time.CreateTimer(_ => Sweep(), null, interval, interval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _sweeper?.Dispose();
        EdgeMetrics.Forget(this);
        foreach (var session in _sessions.Values)
        {
            session.Kick(KickReason.ServerShutdown, "the edge node is shutting down; reconnect");
        }

        return Task.CompletedTask;
    }

    private void Sweep()
    {
        var now = time.GetTimestamp();
        foreach (var session in _sessions.Values)
        {
            session.CheckDeadlines(now);
        }

        answers.Expire(now, options.Value.SendAnswerTimeout);
    }

    public void Dispose() => _sweeper?.Dispose();
}
