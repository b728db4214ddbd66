namespace ImOrleans.Protocol;

/// <summary>
/// Rules for user, group and conversation ids, shared by server and client SDK so both build the same ids.
/// A user id and a group id are 1-64 characters of <c>[A-Za-z0-9_.@-]</c>. A 1:1 conversation id is
/// <c>s:&lt;a&gt;:&lt;b&gt;</c> where a and b are the two user ids in ordinal order; a group's conversation id is
/// <c>g:&lt;group id&gt;</c>; a user's system (notice) conversation id is <c>n:&lt;user id&gt;</c>.
/// </summary>
public static class Identifiers
{
    public const int MaxUserIdLength = 64;
    public const int MaxGroupIdLength = 64;
    public const string SinglePrefix = "s:";
    public const string GroupPrefix = "g:";
    public const string NoticePrefix = "n:";

    /// <summary>Group ids follow the user id rules.</summary>
    public static bool IsValidGroupId(string? groupId) => IsValidUserId(groupId);

    /// <summary>The conversation of a group.</summary>
    /// <exception cref="ArgumentException">The group id is invalid.</exception>
    public static string GroupConversation(string groupId) =>
        IsValidGroupId(groupId) ? GroupPrefix + groupId : throw new ArgumentException($"'{groupId}' is not a valid group id.");

    /// <summary>The group of a group conversation id; false for anything else or a badly formed id.</summary>
    public static bool TryParseGroup(string? conversationId, out string groupId)
    {
        groupId = "";
        if (conversationId is null || !conversationId.StartsWith(GroupPrefix, StringComparison.Ordinal)
            || !IsValidGroupId(conversationId[GroupPrefix.Length..]))
        {
            return false;
        }

        groupId = conversationId[GroupPrefix.Length..];
        return true;
    }

    /// <summary>The system conversation in which a user receives business notices.</summary>
    /// <exception cref="ArgumentException">The user id is invalid.</exception>
    public static string NoticeConversation(string userId) =>
        IsValidUserId(userId) ? NoticePrefix + userId : throw new ArgumentException($"'{userId}' is not a valid user id.");

    /// <summary>The owner of a notice conversation id; false for anything else or a badly formed id.</summary>
    public static bool TryParseNotice(string? conversationId, out string userId)
    {
        userId = "";
        if (conversationId is null || !conversationId.StartsWith(NoticePrefix, StringComparison.Ordinal)
            || !IsValidUserId(conversationId[NoticePrefix.Length..]))
        {
            return false;
        }

        userId = conversationId[NoticePrefix.Length..];
        return true;
    }

    /// <summary>Whether the id names a conversation at all (1:1, group or notices), without saying whether it exists.</summary>
    public static bool IsWellFormedConversationId(string? conversationId) =>
        TryParseSingle(conversationId, out _, out _) || TryParseGroup(conversationId, out _) || TryParseNotice(conversationId, out _);

    public static bool IsValidUserId(string? userId) => userId is not null && IsValidUserId(userId.AsSpan());

    private static bool IsValidUserId(ReadOnlySpan<char> userId)
    {
        if (userId.IsEmpty || userId.Length > MaxUserIdLength)
        {
            return false;
        }

        foreach (var c in userId)
        {
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '.' or '@' or '-';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The id of the 1:1 conversation between two different, valid user ids.</summary>
    /// <exception cref="ArgumentException">A user id is invalid, or both are the same user.</exception>
    public static string SingleConversation(string userA, string userB)
    {
        if (!IsValidUserId(userA) || !IsValidUserId(userB) || userA == userB)
        {
            throw new ArgumentException($"'{userA}' and '{userB}' must be two different valid user ids.");
        }

        return string.CompareOrdinal(userA, userB) < 0 ? $"{SinglePrefix}{userA}:{userB}" : $"{SinglePrefix}{userB}:{userA}";
    }

    /// <summary>Splits a 1:1 conversation id into its two users; false for anything else or a badly formed id.</summary>
    public static bool TryParseSingle(string? conversationId, out string userA, out string userB)
    {
        if (!TrySplitSingle(conversationId, out var a, out var b))
        {
            userA = userB = "";
            return false;
        }

        userA = a.ToString();
        userB = b.ToString();
        return IsWellFormedPair(a, b);
    }

    /// <summary>Whether <paramref name="conversationId"/> is a well-formed 1:1 conversation id naming <paramref name="userId"/> (allocates nothing).</summary>
    public static bool IsSingleOf(string? conversationId, string userId) =>
        TrySplitSingle(conversationId, out var a, out var b) && IsWellFormedPair(a, b)
        && (a.SequenceEqual(userId) || b.SequenceEqual(userId));

    /// <summary>The two parts of <c>s:&lt;a&gt;:&lt;b&gt;</c>, not yet checked.</summary>
    private static bool TrySplitSingle(string? conversationId, out ReadOnlySpan<char> userA, out ReadOnlySpan<char> userB)
    {
        userA = userB = default;
        if (conversationId is null || !conversationId.StartsWith(SinglePrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = conversationId.AsSpan(SinglePrefix.Length);
        var colon = rest.IndexOf(':');
        if (colon <= 0)
        {
            return false;
        }

        userA = rest[..colon];
        userB = rest[(colon + 1)..];
        return true;
    }

    private static bool IsWellFormedPair(ReadOnlySpan<char> userA, ReadOnlySpan<char> userB) =>
        IsValidUserId(userA) && IsValidUserId(userB) && userA.SequenceCompareTo(userB) < 0;

    /// <summary>The other member of a 1:1 conversation, or null if <paramref name="userId"/> is not in it.</summary>
    public static string? PeerOf(string conversationId, string userId)
    {
        if (!TryParseSingle(conversationId, out var a, out var b))
        {
            return null;
        }

        return userId == a ? b : userId == b ? a : null;
    }
}
