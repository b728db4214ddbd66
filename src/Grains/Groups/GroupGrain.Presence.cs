namespace ImOrleans.Grains;

// Which members are online. User grains say so when a member's first session connects and their last one ends,
// and renew it while the member stays online (a lease, so a lost "offline" or a dead silo heals by itself). A
// message is pushed to these members only: an offline member costs nothing per message, however big the group.
// In memory only: a new activation starts empty and fills up within one renewal period, meanwhile the members'
// clients catch up by seq.
internal sealed partial class GroupGrain
{
    private readonly Dictionary<string, OnlineMember> _online = new(StringComparer.Ordinal);

    /// <summary><see cref="PushSoon"/> as the message log's callback, made once.</summary>
    private Action<StoredMessage, string>? _pushSoon;

    /// <summary>Stored messages whose push waits for the turn that stored them to answer (see <see cref="PushSoon"/>).</summary>
    private readonly Queue<(StoredMessage Message, string OriginSessionId)> _fanout = new();
    private bool _fanoutScheduled;

    /// <summary>How many members are online now (for tests and benchmarks).</summary>
    internal int OnlineCount => _online.Count;

    public async Task<GroupHead> MemberOnline(string userId, IReadOnlyList<IEdgeFanout> edges)
    {
        if (!Group.Created || !Group.Members.TryGetValue(userId, out var member))
        {
            var former = Group.Former.GetValueOrDefault(userId);
            var lastVisible = former is null || former.LastSeq < former.InitSeq ? null : await _log.GetAsync(former.LastSeq);
            return new GroupHead { ConversationId = _id, IsMember = false, LastVisibleSeq = former?.LastSeq ?? 0, LastMessage = lastVisible };
        }

        MarkOnline(userId, edges);
        var last = await _log.GetLastAsync();
        return new GroupHead
        {
            ConversationId = _id,
            IsMember = true,
            LastVisibleSeq = _log.MaxSeq,
            LastMessage = last is not null && last.Seq >= member.InitSeq ? last : null,
            Name = Group.Name,
            Avatar = Group.Avatar,
        };
    }

    public Task KeepOnline(string userId, IReadOnlyList<IEdgeFanout> edges)
    {
        if (Group.Members.ContainsKey(userId))
        {
            MarkOnline(userId, edges);
        }

        return Task.CompletedTask;
    }

    public Task MemberOffline(string userId)
    {
        _online.Remove(userId);
        return Task.CompletedTask;
    }

    /// <param name="userId">The member.</param>
    /// <param name="edges">Where its sessions are; null when not known here (the edges it had stay).</param>
    private void MarkOnline(string userId, IReadOnlyList<IEdgeFanout>? edges)
    {
        var expiresAt = time.GetUtcNow() + _options.OnlineLease;
        if (_online.TryGetValue(userId, out var online))
        {
            online.ExpiresAt = expiresAt;
            online.Edges = edges ?? online.Edges;
        }
        else
        {
            _online[userId] = new OnlineMember(User(userId), expiresAt) { Edges = edges ?? [] };
        }
    }

    /// <summary>
    /// Pushes a stored message once the current turn has answered: the sender's ack does not wait for a thousand
    /// calls, and the fan-out of one message runs while the grain waits for the next one's commit. The continuation
    /// runs on this activation's scheduler, so it never runs alongside another turn; queued messages go out in seq
    /// order, and a membership change drains the queue first (<see cref="Push"/>), so nobody's online set changes
    /// under a message sent before the change.
    /// </summary>
    private void PushSoon(StoredMessage message, string originSessionId)
    {
        _fanout.Enqueue((message, originSessionId));
        if (!_fanoutScheduled)
        {
            _fanoutScheduled = true;
            _ = DrainFanoutSoonAsync();
        }
    }

    private async Task DrainFanoutSoonAsync()
    {
        await Task.Yield();
        DrainFanout();
    }

    private void DrainFanout()
    {
        _fanoutScheduled = false;
        while (_fanout.TryDequeue(out var queued))
        {
            PushNow(queued.Message, queued.OriginSessionId);
        }
    }

    /// <summary>Pushes now, after whatever <see cref="PushSoon"/> queued, so pushes keep seq order.</summary>
    private void Push(StoredMessage message)
    {
        DrainFanout();
        PushNow(message, "");
    }

    /// <summary>
    /// To every session of every online member that may see it (R22): one one-way call per edge naming the members
    /// it holds sessions of (<see cref="IEdgeFanout"/>). The sender's own sessions are reached through its user grain,
    /// which also marks the message read for it and leaves out the sending session; so are members whose sessions
    /// are on hosts without a fan-out endpoint.
    /// </summary>
    private void PushNow(StoredMessage message, string originSessionId)
    {
        var now = time.GetUtcNow();
        List<string>? lapsed = null;
        Dictionary<IEdgeFanout, List<string>>? byEdge = null;
        foreach (var (userId, online) in _online)
        {
            if (online.ExpiresAt <= now)
            {
                (lapsed ??= []).Add(userId);
                continue;
            }

            if (!CanSee(userId, message.Seq))
            {
                continue;
            }

            if (userId == message.SenderId || online.Edges.Count == 0)
            {
                online.Grain.OnMessage(message, originSessionId).Ignore();
                continue;
            }

            // Indexed: a foreach over the interface would allocate an enumerator per member and message.
            foreach (var edge in online.Edges)
            {
                byEdge ??= [];
                if (!byEdge.TryGetValue(edge, out var members))
                {
                    byEdge[edge] = members = [];
                }

                members.Add(userId);
            }
        }

        foreach (var (edge, members) in byEdge ?? [])
        {
            // An Orleans call even to the edge in this process: it hands the push to its sessions on another thread while
            // this grain goes on with its next turn (calling that edge directly made the last delivery later).
            edge.OnMessage(message, members).Ignore();
        }

        foreach (var userId in lapsed ?? [])
        {
            _online.Remove(userId);
        }
    }

    /// <summary>Whether the member's visible range (init seq to now, or to their last seq once they left) holds <paramref name="seq"/>.</summary>
    private bool CanSee(string userId, long seq) =>
        Group.Members.TryGetValue(userId, out var member)
            ? member.InitSeq <= seq
            : Group.Former.TryGetValue(userId, out var former) && former.InitSeq <= seq && seq <= former.LastSeq;

    private sealed class OnlineMember(IUserGrain grain, DateTimeOffset expiresAt)
    {
        public IUserGrain Grain { get; } = grain;

        public DateTimeOffset ExpiresAt { get; set; } = expiresAt;

        /// <summary>The edges holding the member's sessions, as its user grain last said.</summary>
        public IReadOnlyList<IEdgeFanout> Edges { get; set; } = [];
    }
}
