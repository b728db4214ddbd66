using System.Globalization;
using ImOrleans.Client;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.ChatConsole;

/// <summary>The console chat: turns typed lines into client calls and client events into printed lines.</summary>
internal sealed partial class ChatSession(ImClient client, TextWriter output)
{
    private const string Help =
        "commands: /to <user> | /g <group id> picks where text goes; /list, /history [n], /read, /quit\n"
        + "  groups: /group create <name> [user ...], /group add <user ...>, /group remove <user ...>, /group info, /group leave\n"
        + "  messages: /revoke <seq>, /delete <seq>, /reads <seq> (who read it), /mute, /unmute";

    private readonly Lock _printLock = new();
    private readonly Dictionary<(string, string), (long Delivered, long Read)> _receipts = [];
    private readonly Dictionary<string, List<long>> _sent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _markedRead = new(StringComparer.Ordinal);
    private string? _peer;
    private string? _groupId;

    private string Me => client.Options.UserId;

    private string? Conversation =>
        _groupId is not null ? Identifiers.GroupConversation(_groupId) : _peer is null ? null : Identifiers.SingleConversation(Me, _peer);

    private string Target => _groupId is not null ? $"group {_groupId}" : _peer ?? "";

    public void Attach()
    {
        client.StateChanged += (_, e) => Print($"* {e.Current}{(e.Error is null ? "" : $" ({e.Error.Message})")}");
        client.Kicked += (_, e) => Print($"! kicked: {e.Reason} {e.Message}");
        client.MessageReceived += (_, m) => Print(Format(m));
        client.NoticeReceived += (_, m) => Print("[notice] " + Format(m));
        client.MessageUpdated += (_, m) => Print($"({m.ConversationId} #{m.Seq} was {m.Status.ToString().ToLowerInvariant()})");
        client.ReceiptReceived += (_, r) => OnReceipt(r);
    }

    /// <summary>Handles one typed line; false when the user asked to quit.</summary>
    public async Task<bool> HandleAsync(string line)
    {
        line = line.Trim();
        if (line.Length == 0)
        {
            return true;
        }

        if (!line.StartsWith('/'))
        {
            await SendAsync(line);
            return true;
        }

        var parts = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var argument = parts.Length > 1 ? parts[1] : null;
        switch (parts[0])
        {
            case "/quit":
                return false;
            case "/to":
                To(argument);
                break;
            case "/list":
                await ListAsync();
                break;
            case "/history":
                await HistoryAsync(argument);
                break;
            case "/read":
                await ReadAsync();
                break;
            case "/g":
                ToGroup(argument);
                break;
            case "/group":
                await GroupAsync(argument);
                break;
            case "/revoke" or "/delete" or "/reads":
                await MessageCommandAsync(parts[0], argument);
                break;
            case "/mute" or "/unmute":
                await MuteAsync(parts[0] == "/mute");
                break;
            default:
                Print(Help);
                break;
        }

        return true;
    }

    private void To(string? peer)
    {
        if (!Identifiers.IsValidUserId(peer) || peer == Me)
        {
            Print("usage: /to <another user id>");
            return;
        }

        _peer = peer;
        _groupId = null;
        Print($"now talking to {peer} ({Conversation})");
    }

    private async Task SendAsync(string text)
    {
        if (Conversation is not { } conversation)
        {
            Print("choose a peer or group first: /to <user> or /g <group id>");
            return;
        }

        var ack = await client.SendTextAsync(conversation, text);
        lock (_printLock)
        {
            if (!_sent.TryGetValue(conversation, out var seqs))
            {
                _sent[conversation] = seqs = [];
            }

            seqs.Add(ack.Seq);
        }

        Print($"→ {Target} #{ack.Seq}{(ack.Duplicate ? " (duplicate)" : "")}");
    }

    private async Task ListAsync()
    {
        var page = await client.GetConversationsAsync(limit: 100);
        Print($"{page.Total} conversation(s)");
        foreach (var c in page.Conversations)
        {
            var name = c.PeerId is { Length: > 0 } peer ? peer : c.Name is { Length: > 0 } n ? $"{n} ({c.ConversationId})" : c.ConversationId;
            var last = c.LastMessage is { } m ? $" — {m.SenderId}: {Preview(m)}" : "";
            var flags = (c.Muted ? " muted" : "") + (c.Quit ? " quit" : "");
            Print($"  {name,-30} unread {c.Unread,3}  max #{c.MaxSeq}{flags}{last}");
        }
    }

    private async Task HistoryAsync(string? argument)
    {
        if (Conversation is not { } conversation)
        {
            Print("choose a peer or group first: /to <user> or /g <group id>");
            return;
        }

        var count = int.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? Math.Clamp(n, 1, 100) : 20;
        var page = await client.PullMessagesAsync(conversation, limit: count);
        if (page.Messages.Count == 0)
        {
            Print("(no messages)");
        }

        foreach (var message in page.Messages)
        {
            Print(Format(message));
        }
    }

    private async Task ReadAsync()
    {
        if (Conversation is not { } conversation)
        {
            Print("choose a peer or group first: /to <user> or /g <group id>");
            return;
        }

        var newest = await client.PullMessagesAsync(conversation, limit: 1);
        lock (_printLock)
        {
            _markedRead[conversation] = newest.MaxSeq;
        }

        var result = await client.MarkReadAsync(conversation, newest.MaxSeq);
        Print($"read up to #{result.ReadSeq}, {result.Unread} unread");
    }

    private void OnReceipt(ReceiptPush receipt)
    {
        lock (_printLock)
        {
            if (receipt.UserId == Me)
            {
                // The server also tells the device that marked read; only another device's read is news here.
                if (receipt.ReadSeq > _markedRead.GetValueOrDefault(receipt.ConversationId))
                {
                    output.WriteLine($"(read on another device: {receipt.ConversationId} up to #{receipt.ReadSeq})");
                }

                return;
            }

            // Receipts matter to the sender: say so only when a position newly covers one of my messages.
            var key = (receipt.ConversationId, receipt.UserId);
            var known = _receipts.GetValueOrDefault(key);
            _receipts[key] = (Math.Max(known.Delivered, receipt.DeliveredSeq), Math.Max(known.Read, receipt.ReadSeq));
            var mine = _sent.GetValueOrDefault(receipt.ConversationId) ?? [];
            var where = Identifiers.PeerOf(receipt.ConversationId, Me) is null ? $" in {receipt.ConversationId}" : "";
            if (mine.Any(seq => seq > known.Read && seq <= receipt.ReadSeq))
            {
                output.WriteLine($"✓✓ read by {receipt.UserId}{where} up to #{receipt.ReadSeq}");
            }
            else if (mine.Any(seq => seq > known.Delivered && seq <= receipt.DeliveredSeq))
            {
                output.WriteLine($"✓ delivered to {receipt.UserId}{where} up to #{receipt.DeliveredSeq}");
            }
        }
    }

    private string Format(ChatMessage m)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(m.ServerTimeMs).ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        var where = Identifiers.PeerOf(m.ConversationId, Me) is { } peer ? $"@{peer}" : m.ConversationId;
        return $"[{time} {where} #{m.Seq}] {m.SenderId}: {Preview(m)}";
    }

    private static string Preview(ChatMessage m) => m.Status switch
    {
        MessageStatus.Revoked => "(revoked)",
        MessageStatus.Deleted => "(deleted)",
        _ => m.Type switch
        {
            MessageType.Text => m.Content,
            MessageType.GroupEvent or MessageType.Revoke => $"* {Describe(m)}",
            _ => $"[{m.Type}] {m.Content}",
        },
    };

    /// <summary>A server-made message in words: "revoked #12", "added bob, carol", ...</summary>
    private static string Describe(ChatMessage m)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(m.Content);
            var root = json.RootElement;
            if (m.Type == MessageType.Revoke)
            {
                return $"revoked #{root.GetProperty("seq").GetInt64()}";
            }

            var members = root.TryGetProperty("members", out var list) ? string.Join(", ", list.EnumerateArray().Select(e => e.GetString())) : "";
            return $"{root.GetProperty("action").GetString()} {members}".Trim();
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return m.Content;
        }
    }

    private void Print(string line)
    {
        lock (_printLock)
        {
            output.WriteLine(line);
        }
    }
}
