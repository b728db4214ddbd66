using System.Text;
using System.Text.Json;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Grains;

/// <summary>
/// The content of a GROUP_EVENT message: a JSON object whose shape docs/protocol.md ("Group events") fixes:
/// <c>{"action":..., "actor":..., "members":[...], "role":..., "name":..., "avatar":..., "joinPolicy":...}</c>,
/// fields absent when they do not apply.
/// </summary>
internal static class GroupEvent
{
    public const string Created = "created";
    public const string Added = "added";
    public const string Joined = "joined";
    public const string Removed = "removed";
    public const string Left = "left";
    public const string RoleChanged = "role";
    public const string OwnerChanged = "owner";
    public const string Updated = "updated";
    public const string Dissolved = "dissolved";

    public static string Json(string action, string actor, IEnumerable<string>? members = null, GroupRole? role = null,
        string? name = null, string? avatar = null, GroupJoinPolicy? joinPolicy = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("action", action);
            json.WriteString("actor", actor);
            if (members is not null)
            {
                json.WriteStartArray("members");
                foreach (var member in members)
                {
                    json.WriteStringValue(member);
                }

                json.WriteEndArray();
            }

            if (role is { } r)
            {
                json.WriteString("role", r == GroupRole.Admin ? "admin" : r == GroupRole.Owner ? "owner" : "member");
            }

            if (name is not null)
            {
                json.WriteString("name", name);
            }

            if (avatar is not null)
            {
                json.WriteString("avatar", avatar);
            }

            if (joinPolicy is { } policy)
            {
                json.WriteString("joinPolicy", policy == GroupJoinPolicy.Open ? "open" : "invite");
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
