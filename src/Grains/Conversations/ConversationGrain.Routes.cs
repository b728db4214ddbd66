namespace ImOrleans.Grains;

// Pushes to the other member of a 1:1 conversation go to the edges holding that member's sessions, not through the
// member's user grain: each message and receipt then costs one Orleans message less, none when the edge runs in this
// process, and the receiver's user grain is not touched per message. The conversation watches each member's user
// grain for where the sessions are (UserGrain.Watchers.cs): a lease renewed after a third of it while messages flow,
// and at the next push after the cluster declared a silo dead (the user grain may have come back elsewhere without
// its watchers). Until a watch answers, after it lapses or a silo died, or when some session's host has no fan-out
// endpoint, pushes go through the user grain as before. The sender's other devices get the message the same way,
// leaving out the session that sent it; the sender's user grain hears that its own messages are read in a batch
// every half minute (MemberPositions).
internal sealed partial class ConversationGrain
{
    private MemberRoute[] _routes = [];

    /// <summary>When a failed watch renewal is tried again at most: sooner than the minute a renewal waits otherwise.</summary>
    private static readonly TimeSpan RouteRetryAfterFailure = TimeSpan.FromSeconds(10);

    /// <summary>This process's edge, if any, reached without an Orleans message.</summary>
    private ILocalSessions? _localSessions;

    public Task OnMemberEdges(string userId, MemberEdges edges)
    {
        var index = Array.IndexOf(_members, userId);
        if (index >= 0 && index < _routes.Length)
        {
            _routes[index].Apply(edges, _localSessions);
        }

        return Task.CompletedTask;
    }

    private void StartRoutes()
    {
        _routes = [.. _members.Select(m => new MemberRoute(m))];
        for (var i = 0; i < _routes.Length; i++)
        {
            RenewRoute(i).Ignore();
        }
    }

    private void StopRoutes()
    {
        foreach (var route in _routes)
        {
            if (route.Edges is not null)
            {
                User(route.UserId).UnwatchEdges(_id).Ignore();
            }
        }
    }

    private void PushMessage(int member, StoredMessage message) =>
        _ = Push(member, message, static (edge, m, users) => edge.OnMessage(m, users), static (user, m) => user.OnMessage(m, ""));

    /// <summary>
    /// The sender's own message to their other sessions (R22), not to <paramref name="originSessionId"/>. When the
    /// route may not be used, through the sender's user grain, which also records at once that the message is read.
    /// </summary>
    private void PushOwnMessage(int member, StoredMessage message, string originSessionId)
    {
        var viaEdges = Push(
            member,
            (Message: message, Origin: originSessionId),
            static (edge, m, users) => edge.OnOwnMessage(m.Message, users[0], m.Origin),
            static (user, m) => user.OnMessage(m.Message, m.Origin));
        if (viaEdges)
        {
            _positions.NoteOwnSend();
        }
    }

    /// <summary>Each member who sent since the last tell hears, up to their newest, that their own messages are read.</summary>
    private void TellOwnSends()
    {
        for (var i = 0; i < _lastSent.Length; i++)
        {
            if (_lastSent[i] > _toldSent[i])
            {
                User(_members[i]).OnOwnSends(_id, _lastSent[i]).Ignore();
                _toldSent[i] = _lastSent[i];
            }
        }
    }

    private void PushReceipt(int member, Receipt receipt) =>
        _ = Push(member, receipt, static (edge, r, users) => edge.OnReceipt(r, users), static (user, r) => user.OnReceipt(r));

    /// <summary>
    /// To each edge of the member's route (true), or through the member's user grain when the route may not be used
    /// (false).
    /// </summary>
    private bool Push<T>(int member, T item, Func<IEdgeFanout, T, string[], Task> viaEdge, Func<IUserGrain, T, Task> viaUser)
    {
        var route = UsableRoute(member);
        if (route is null)
        {
            viaUser(User(_members[member]), item).Ignore();
            return false;
        }

        foreach (var edge in route.Targets)
        {
            viaEdge(edge, item, route.Users).Ignore();
        }

        return true;
    }

    /// <summary>The member's route if it may be used now (renewing it when due), else null: push through the user grain.</summary>
    private MemberRoute? UsableRoute(int member)
    {
        if (member >= _routes.Length)
        {
            return null; // A notice conversation: its pushes go through the user grain, which records them.
        }

        var route = _routes[member];
        var now = time.GetUtcNow();
        if (route.DeathsSeen != siloDeaths.Count)
        {
            // A silo died since the answer held was given: the lease ends now, and the next renewal asks the user grain
            // wherever it lives now.
            route.DeathsSeen = siloDeaths.Count;
            route.ValidUntil = route.RenewAt = now;
        }

        if (now >= route.RenewAt && !route.Renewing)
        {
            RenewRoute(member).Ignore();
        }

        return route.Edges is { Complete: true } && now < route.ValidUntil ? route : null;
    }

    private async Task RenewRoute(int member)
    {
        var route = _routes[member];
        var lease = userOptions.Value.SessionRouteLease;
        var asked = time.GetUtcNow();
        var deaths = siloDeaths.Count;
        route.Renewing = true;
        try
        {
            route.Apply(await User(route.UserId).WatchEdges(_id), _localSessions);

            // Counted from the asking, and a tenth short of the lease, so this grain stops before the user grain forgets it.
            // A silo that died while this was asked ends it at the next push (UsableRoute): the answer may be of an
            // activation that is gone.
            route.ValidUntil = asked + lease * 0.9;
            route.RenewAt = asked + lease / 3;
            route.DeathsSeen = deaths;
        }
        catch (Exception ex)
        {
            LogRouteFailed(logger, ex, _id, route.UserId);
            route.RenewAt = time.GetUtcNow() + (lease / 3 < RouteRetryAfterFailure ? lease / 3 : RouteRetryAfterFailure);
        }
        finally
        {
            route.Renewing = false;
        }
    }

    private sealed class MemberRoute(string userId)
    {
        public string UserId { get; } = userId;

        /// <summary>The member's id as the edges' list of users to push to, made once.</summary>
        public string[] Users { get; } = [userId];

        public MemberEdges? Edges { get; private set; }

        /// <summary>The edges to call: this process's own edge as the object itself, so no Orleans message is sent to it.</summary>
        public IEdgeFanout[] Targets { get; private set; } = [];

        public DateTimeOffset ValidUntil { get; set; }

        public DateTimeOffset RenewAt { get; set; }

        public bool Renewing { get; set; }

        /// <summary>Silos declared dead when the answer held was asked for, or when the route last ended for a death (<see cref="Hosting.SiloDeaths"/>).</summary>
        public long DeathsSeen { get; set; }

        /// <summary>A newer answer or notice replaces an older one, whichever arrives first.</summary>
        public void Apply(MemberEdges edges, ILocalSessions? local)
        {
            if (Edges is null || edges.Version > Edges.Version)
            {
                Edges = edges;
                Targets = [.. edges.Edges.Select(edge => local?.LocalEdge(edge) ?? edge)];
            }
        }
    }
}
