using System.Globalization;
using ImOrleans.Protocol;

namespace ImOrleans.ChatConsole;

// Group commands, revoke / delete / read counts, and mute.
internal sealed partial class ChatSession
{
    private void ToGroup(string? groupId)
    {
        if (!Identifiers.IsValidGroupId(groupId))
        {
            Print("usage: /g <group id>");
            return;
        }

        _groupId = groupId;
        _peer = null;
        Print($"now talking in group {groupId} ({Conversation})");
    }

    private async Task GroupAsync(string? argument)
    {
        var words = (argument ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var verb = words.Length > 0 ? words[0] : "";
        if (verb == "create" && words.Length > 1)
        {
            var created = await client.CreateGroupAsync(words[1], words.Skip(2));
            ToGroup(created.Group.GroupId);
            Print($"created group {created.Group.GroupId} \"{created.Group.Name}\" with {created.Group.MemberCount} member(s)");
            return;
        }

        if (_groupId is not { } group)
        {
            Print("pick a group first: /g <group id> (or /group create <name> [user ...])");
            return;
        }

        switch (verb)
        {
            case "add" when words.Length > 1:
                Print($"added: {string.Join(", ", (await client.AddGroupMembersAsync(group, words.Skip(1))).UserIds)}");
                break;
            case "remove" when words.Length > 1:
                Print($"removed: {string.Join(", ", (await client.RemoveGroupMembersAsync(group, words.Skip(1))).UserIds)}");
                break;
            case "leave":
                await client.LeaveGroupAsync(group);
                Print($"left group {group}");
                break;
            case "info":
                var info = await client.GetGroupAsync(group, memberLimit: 100);
                Print($"group {info.Group.GroupId} \"{info.Group.Name}\", owner {info.Group.OwnerId}, {info.MemberTotal} member(s), you: {info.Group.MyRole}");
                foreach (var m in info.Members)
                {
                    Print($"  {m.UserId,-20} {m.Role}");
                }

                break;
            default:
                Print(Help);
                break;
        }
    }

    private async Task MessageCommandAsync(string command, string? argument)
    {
        if (Conversation is not { } conversation || !long.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            Print($"usage: {command} <seq>, after /to or /g");
            return;
        }

        switch (command)
        {
            case "/revoke":
                await client.RevokeAsync(conversation, seq);
                Print($"revoked #{seq}");
                break;
            case "/delete":
                await client.DeleteMessagesAsync(conversation, [seq]);
                Print($"deleted #{seq} (for you)");
                break;
            default:
                var count = await client.GetReadCountAsync(conversation, seq);
                Print($"#{seq}: read by {count.ReadCount}, not yet by {count.UnreadCount}");
                break;
        }
    }

    private async Task MuteAsync(bool muted)
    {
        if (Conversation is not { } conversation)
        {
            Print("choose a peer or group first: /to <user> or /g <group id>");
            return;
        }

        await client.SetMutedAsync(conversation, muted);
        Print(muted ? $"muted {Target}" : $"unmuted {Target}");
    }
}
