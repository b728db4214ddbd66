using ImOrleans.Protocol.Messages;

namespace ImOrleans.Grains;

/// <summary>
/// One per group, keyed by the group's conversation id <c>g:&lt;group id&gt;</c> (<see cref="GrainKeys.Group"/>).
/// Owns the group's members and roles and the group conversation's seq counter, so a member's first visible seq
/// (initSeq) is decided in the same turn as the seqs of messages. Also keeps which members are online (leased by
/// their user grains), and pushes messages only to those: offline members cost nothing per message.
/// </summary>
[Alias("ImOrleans.IGroupGrain")]
public interface IGroupGrain : IMessageLogGrain
{
    /// <summary>Creates the group with <paramref name="ownerId"/> as owner. Repeating it (same owner) returns the group.</summary>
    Task<GroupChange> Create(string ownerId, GroupCreation creation);

    /// <summary>The group's info as <paramref name="userId"/> sees it (their role); GroupNotFound if there is no such group.</summary>
    Task<GroupSnapshot> GetInfo(string userId);

    /// <summary>A page of members: owner, admins, members, each by join time.</summary>
    Task<GroupMemberPage> GetMembers(string userId, int offset, int limit);

    Task<GroupChange> AddMembers(string actorId, IReadOnlyList<string> userIds);

    Task<GroupChange> RemoveMembers(string actorId, IReadOnlyList<string> userIds);

    Task<GroupChange> Join(string userId);

    Task<GroupChange> Leave(string userId);

    Task<GroupChange> SetRole(string actorId, string userId, GroupRole role);

    Task<GroupChange> TransferOwnership(string actorId, string newOwnerId);

    Task<GroupChange> Dissolve(string actorId);

    Task<GroupChange> Update(string actorId, GroupUpdate update);

    /// <summary>
    /// The user's first session connected: push group messages to it from now on (until the lease lapses). Returns
    /// what the user grain needs to refresh its record (membership, last visible message, name). Interleaves, so a
    /// user grain awaiting it can never deadlock with a group awaiting that user grain.
    /// </summary>
    /// <param name="userId">The member.</param>
    /// <param name="edges">The edges holding the member's sessions (group messages go to them, see <see cref="IEdgeFanout"/>); empty: push through the member's user grain.</param>
    [AlwaysInterleave]
    Task<GroupHead> MemberOnline(string userId, IReadOnlyList<IEdgeFanout> edges);

    /// <summary>Renews the online lease of <see cref="MemberOnline"/>, with the member's edges as they are now.</summary>
    [OneWay, AlwaysInterleave]
    Task KeepOnline(string userId, IReadOnlyList<IEdgeFanout> edges);

    /// <summary>The user's last session ended.</summary>
    [OneWay, AlwaysInterleave]
    Task MemberOffline(string userId);
}
