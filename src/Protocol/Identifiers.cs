namespace ImOrleans.Protocol;

/// <summary>
/// Rules for user and conversation ids, shared by server and client SDK so both build the same ids.
/// A user id is 1-64 characters of <c>[A-Za-z0-9_.@-]</c>. A 1:1 conversation id is
/// <c>s:&lt;a&gt;:&lt;b&gt;</c> where a and b are the two user ids in ordinal order.
/// </summary>
public static class Identifiers
{
    public const int MaxUserIdLength = 64;
    public const string SinglePrefix = "s:";

    public static bool IsValidUserId(string? userId)
    {
        if (string.IsNullOrEmpty(userId) || userId.Length > MaxUserIdLength)
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
        userA = userB = "";
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

        userA = rest[..colon].ToString();
        userB = rest[(colon + 1)..].ToString();
        return IsValidUserId(userA) && IsValidUserId(userB) && string.CompareOrdinal(userA, userB) < 0;
    }

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
