using ImOrleans.Protocol.Messages;

namespace ImOrleans.Grains;

// Group memberships. A group pushes only to members its user grains said are online, so this grain tells each of
// its groups when the user's first session connects (and refreshes the group's last message and name, which did
// not reach it while offline), renews that while online, and says when the last session ends.
internal sealed partial class UserGrain
{
    private DateTimeOffset _groupsRenewedAt;

    /// <summary>The edges the groups were last told this user's sessions are on.</summary>
    private IReadOnlyList<IEdgeFanout> _announcedEdges = [];

    private bool IsOnline => _sessions.Count > 0;

    private TimeSpan GroupRenewInterval => groupOptions.Value.OnlineLease / 3;

    public async Task OnGroupQuit(string conversationId, long lastSeq)
    {
        if (Conversations.TryGetValue(conversationId, out var record) && !record.Quit)
        {
            MarkQuit(record, lastSeq);
            await TryFlushAsync();
        }
    }

    public Task OnGroupUpdated(GroupHead head)
    {
        if (Conversations.TryGetValue(head.ConversationId, out var record) && !record.Quit)
        {
            ApplyHead(record, head);
        }

        return Task.CompletedTask;
    }

    private async Task RejoinAsync(ConversationRecord record, ConversationMembership membership, long initSeq)
    {
        var before = (record.Quit, record.QuitSeq, record.InitSeq, record.ReadSeq, record.Name, record.Avatar);
        record.Quit = false;
        record.QuitSeq = 0;
        record.InitSeq = initSeq;
        record.ReadSeq = Math.Max(record.ReadSeq, initSeq - 1);
        record.Name = membership.Name;
        record.Avatar = membership.Avatar;
        try
        {
            await WriteStateAsync();
        }
        catch
        {
            (record.Quit, record.QuitSeq, record.InitSeq, record.ReadSeq, record.Name, record.Avatar) = before;
            throw;
        }
    }

    /// <summary>The first session connected: every group the user is in pushes to them from now on.</summary>
    private async Task AnnounceOnlineAsync()
    {
        var groups = ActiveGroups();
        if (groups.Count == 0)
        {
            return;
        }

        _groupsRenewedAt = time.GetUtcNow();
        var edges = _announcedEdges = SessionEdges();
        var heads = await Task.WhenAll(groups.Select(async record =>
        {
            try
            {
                return await Group(record.ConversationId).MemberOnline(_userId, edges);
            }
            catch (Exception ex)
            {
                // The next renewal registers the user with this group again; meanwhile the client syncs by seq.
                LogGroupAnnounceFailed(logger, ex, _userId, record.ConversationId);
                return null;
            }
        }));

        foreach (var head in heads)
        {
            if (head is not null && Conversations.TryGetValue(head.ConversationId, out var record) && !record.Quit)
            {
                ApplyHead(record, head);
            }
        }
    }

    private void AnnounceOffline()
    {
        foreach (var record in ActiveGroups())
        {
            Group(record.ConversationId).MemberOffline(_userId).Ignore();
        }
    }

    /// <summary>Called by the maintenance timer: renews the online leases the groups hold for this user.</summary>
    private void RenewGroupPresence()
    {
        var now = time.GetUtcNow();
        if (!IsOnline || now - _groupsRenewedAt < GroupRenewInterval)
        {
            return;
        }

        _groupsRenewedAt = now;
        TellGroupsTheEdges();
    }

    /// <summary>A session opened on an edge the groups do not know of for this user: they push there from now on.</summary>
    private void AnnounceEdgesIfChanged()
    {
        var edges = SessionEdges();
        if (!SameEdges(edges, _announcedEdges))
        {
            TellGroupsTheEdges();
        }
    }

    private void TellGroupsTheEdges()
    {
        var edges = _announcedEdges = SessionEdges();
        foreach (var record in ActiveGroups())
        {
            Group(record.ConversationId).KeepOnline(_userId, edges).Ignore();
        }
    }

    /// <summary>A group the user just joined while online learns where the user's sessions are.</summary>
    private void AnnounceEdgesTo(ConversationRecord record)
    {
        if (IsOnline && record.Type == ConversationType.Group && !record.Quit)
        {
            Group(record.ConversationId).KeepOnline(_userId, SessionEdges()).Ignore();
        }
    }

    // Both run at every watch renewal (each 1:1 conversation renews its watch of each member every ten seconds), over a
    // user's few edges: loops, not LINQ's sets and iterators.
    private static bool SameEdges(IReadOnlyList<IEdgeFanout> a, IReadOnlyList<IEdgeFanout> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!Contains(b, a[i]))
            {
                return false;
            }
        }

        return true;
    }

    private List<IEdgeFanout> SessionEdges()
    {
        var edges = new List<IEdgeFanout>(1);
        foreach (var session in _sessions.Values)
        {
            if (session.Info.Edge is { } edge && !Contains(edges, edge))
            {
                edges.Add(edge);
            }
        }

        return edges;
    }

    private static bool Contains(IReadOnlyList<IEdgeFanout> edges, IEdgeFanout edge)
    {
        for (var i = 0; i < edges.Count; i++)
        {
            if (edges[i].Equals(edge))
            {
                return true;
            }
        }

        return false;
    }

    private void ApplyHead(ConversationRecord record, GroupHead head)
    {
        if (!head.IsMember)
        {
            if (head.LastVisibleSeq < record.InitSeq)
            {
                // The group never counted the user in (a create or add that failed after this grain recorded it).
                Conversations.Remove(record.ConversationId);
                _newest.Remove(record.ConversationId);
                _dirty = true;
                return;
            }

            MarkQuit(record, head.LastVisibleSeq);
        }
        else if (head.Name.Length > 0 && (head.Name != record.Name || head.Avatar != record.Avatar))
        {
            record.Name = head.Name;
            record.Avatar = head.Avatar;
            _dirty = true;
        }

        if (head.LastMessage is { } last)
        {
            Observe(record.ConversationId, last.Seq, last.ServerTimeMs);
        }
    }

    private void MarkQuit(ConversationRecord record, long lastSeq)
    {
        record.Quit = true;
        record.QuitSeq = lastSeq;
        if (_newest.TryGetValue(record.ConversationId, out var known) && known.Seq > lastSeq)
        {
            _newest.Remove(record.ConversationId);
        }

        _dirty = true;
    }

    private List<ConversationRecord> ActiveGroups() =>
        [.. Conversations.Values.Where(r => r.Type == ConversationType.Group && !r.Quit)];

    private IGroupGrain Group(string conversationId) => GrainFactory.GetGrain<IGroupGrain>(conversationId);
}
