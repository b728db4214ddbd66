namespace ImOrleans.Grains;

// Which members are online. User grains say so when a member's first session connects and their last one ends,
// and renew it while the member stays online (a lease, so a lost "offline" or a dead silo heals by itself). A
// message is pushed to these members only: an offline member costs nothing per message, however big the group.
// In memory only: a new activation starts empty and fills up within one renewal period, meanwhile the members'
// clients catch up by seq.
internal sealed partial class GroupGrain
{
    private readonly Dictionary<string, OnlineMember> _online = new(StringComparer.Ordinal);

    /// <summary>How many members are online now (for tests and benchmarks).</summary>
    internal int OnlineCount => _online.Count;

    public async Task<GroupHead> MemberOnline(string userId)
    {
        if (!Group.Created || !Group.Members.TryGetValue(userId, out var member))
        {
            var former = Group.Former.GetValueOrDefault(userId);
            var lastVisible = former is null || former.LastSeq < former.InitSeq ? null : await _log.GetAsync(former.LastSeq);
            return new GroupHead { ConversationId = _id, IsMember = false, LastVisibleSeq = former?.LastSeq ?? 0, LastMessage = lastVisible };
        }

        MarkOnline(userId);
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

    public Task KeepOnline(string userId)
    {
        if (Group.Members.ContainsKey(userId))
        {
            MarkOnline(userId);
        }

        return Task.CompletedTask;
    }

    public Task MemberOffline(string userId)
    {
        _online.Remove(userId);
        return Task.CompletedTask;
    }

    private void MarkOnline(string userId)
    {
        var expiresAt = time.GetUtcNow() + _options.OnlineLease;
        if (_online.TryGetValue(userId, out var online))
        {
            online.ExpiresAt = expiresAt;
        }
        else
        {
            _online[userId] = new OnlineMember(User(userId), expiresAt);
        }
    }

    /// <summary>One-way to each online member's user grain, which pushes to every session of the member (R22).</summary>
    private void Push(StoredMessage message)
    {
        var now = time.GetUtcNow();
        List<string>? lapsed = null;
        foreach (var (userId, online) in _online)
        {
            if (online.ExpiresAt <= now)
            {
                (lapsed ??= []).Add(userId);
                continue;
            }

            online.Grain.OnMessage(message).Ignore();
        }

        foreach (var userId in lapsed ?? [])
        {
            _online.Remove(userId);
        }
    }

    private sealed class OnlineMember(IUserGrain grain, DateTimeOffset expiresAt)
    {
        public IUserGrain Grain { get; } = grain;

        public DateTimeOffset ExpiresAt { get; set; } = expiresAt;
    }
}
