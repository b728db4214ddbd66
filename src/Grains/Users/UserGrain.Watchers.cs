using ImOrleans.Protocol;
using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains;

// 1:1 conversation grains that push this user's messages and receipts to the user's edges themselves (watchers), so
// a message does not pass through this grain on its way to the receiver. Each watch is a lease the conversation grain
// renews while messages flow; in memory only (after this grain moves or its silo fails, a watcher pushes to the edges
// it knew until its next renewal reaches the new activation). A watcher learns a new edge before the login on it is
// answered, so a message stored after the login's sync read is pushed there. Edges the user left are not told: a push
// to an edge without the user's sessions reaches nobody, and the next renewal brings the current list.
internal sealed partial class UserGrain
{
    /// <summary>How long a login waits for its watchers to learn of its edge.</summary>
    private static readonly TimeSpan WatcherTellTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Watching conversations and when their lease lapses.</summary>
    private readonly Dictionary<string, DateTimeOffset> _watchers = new(StringComparer.Ordinal);

    /// <summary>The last answer every watcher was given: each knows at least its edges (and, if it is complete, that every session has one).</summary>
    private MemberEdges _watchersKnow = new();

    private TimeSpan SessionRouteLease => options.Value.SessionRouteLease;

    public Task<MemberEdges> WatchEdges(string conversationId)
    {
        if (!Identifiers.IsSingleOf(conversationId, _userId))
        {
            throw new RequestRejectedException(ErrorCode.NotMember, "Only this user's 1:1 conversations route to its sessions.");
        }

        _watchers[conversationId] = time.GetUtcNow() + SessionRouteLease;
        var answer = CurrentEdgesAnswer();
        _watchersKnow = answer.Result;
        return answer;
    }

    public Task UnwatchEdges(string conversationId)
    {
        _watchers.Remove(conversationId);
        return Task.CompletedTask;
    }

    /// <summary>
    /// After a session connected: if it is on an edge the watchers do not know of (or on a host without a fan-out
    /// endpoint), tells them all and waits, within a bound, so the login is answered only once they push there.
    /// </summary>
    private async Task TellWatchersIfEdgesGrewAsync()
    {
        if (_watchers.Count == 0)
        {
            return; // Nobody to tell; a conversation that watches later is given the edges then.
        }

        var edges = CurrentEdges();
        var grew = edges.Edges.Except(_watchersKnow.Edges).Any() || (_watchersKnow.Complete && !edges.Complete);
        if (!grew)
        {
            return;
        }

        _watchersKnow = edges;
        var told = LiveWatchers().Select(id => Tell(id, edges));
        try
        {
            await Task.WhenAll(told).WaitAsync(WatcherTellTimeout);
        }
        catch (Exception ex)
        {
            // The login goes ahead: its sync reads what is stored, and a watcher not told renews within its lease.
            LogWatchersNotTold(logger, ex, _userId);
        }
    }

    private void ExpireWatchers(DateTimeOffset now)
    {
        foreach (var id in _watchers.Where(w => w.Value <= now).Select(w => w.Key).ToList())
        {
            _watchers.Remove(id);
        }
    }

    private List<string> LiveWatchers()
    {
        var now = time.GetUtcNow();
        return [.. _watchers.Where(w => w.Value > now).Select(w => w.Key)];
    }

    private Task Tell(string conversationId, MemberEdges edges) =>
        GrainFactory.GetGrain<IConversationGrain>(GrainKeys.Conversation(conversationId)).OnMemberEdges(_userId, edges);

    /// <summary>
    /// The edges as last answered, kept while they stay the same: each watching conversation renews its watch every ten seconds (a third of the lease)
    /// and keeps the answer, so a new answer per renewal (and a new version, which makes the watcher take it) put a young
    /// object into every watching conversation's old state, which every collection then had to find again
    /// (docs/benchmarks.md, session 22). Kept as a finished task, the watch's answer as it is.
    /// </summary>
    private Task<MemberEdges>? _currentEdges;

    private MemberEdges CurrentEdges() => CurrentEdgesAnswer().Result;

    private Task<MemberEdges> CurrentEdgesAnswer()
    {
        var edges = SessionEdges();
        var complete = _sessions.Values.All(s => s.Info.Edge is not null);
        if (_currentEdges is { Result: var known } answer && known.Complete == complete && SameEdges(known.Edges, edges))
        {
            return answer;
        }

        return _currentEdges = Task.FromResult(new MemberEdges
        {
            Edges = edges,
            Complete = complete,
            Version = Math.Max((_currentEdges?.Result.Version ?? 0) + 1, time.GetUtcNow().UtcTicks),
        });
    }
}
