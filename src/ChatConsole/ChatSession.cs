using System.Globalization;
using ImOrleans.Client;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.ChatConsole;

/// <summary>The console chat: turns typed lines into client calls and client events into printed lines.</summary>
internal sealed class ChatSession(ImClient client, TextWriter output)
{
    private const string Help = "commands: /to <user>, <text> sends to the current peer, /list, /history [n], /read, /quit";

    private readonly Lock _printLock = new();
    private readonly Dictionary<(string, string), (long Delivered, long Read)> _receipts = [];
    private readonly Dictionary<string, List<long>> _sent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _markedRead = new(StringComparer.Ordinal);
    private string? _peer;

    private string Me => client.Options.UserId;

    private string? Conversation => _peer is null ? null : Identifiers.SingleConversation(Me, _peer);

    public void Attach()
    {
        client.StateChanged += (_, e) => Print($"* {e.Current}{(e.Error is null ? "" : $" ({e.Error.Message})")}");
        client.Kicked += (_, e) => Print($"! kicked: {e.Reason} {e.Message}");
        client.MessageReceived += (_, m) => Print(Format(m));
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
        Print($"now talking to {peer} ({Conversation})");
    }

    private async Task SendAsync(string text)
    {
        if (Conversation is not { } conversation)
        {
            Print("choose a peer first: /to <user>");
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

        Print($"→ {_peer} #{ack.Seq}{(ack.Duplicate ? " (duplicate)" : "")}");
    }

    private async Task ListAsync()
    {
        var page = await client.GetConversationsAsync(limit: 100);
        Print($"{page.Total} conversation(s)");
        foreach (var c in page.Conversations)
        {
            var name = c.PeerId is { Length: > 0 } peer ? peer : c.Name is { Length: > 0 } n ? n : c.ConversationId;
            var last = c.LastMessage is { } m ? $" — {m.SenderId}: {m.Content}" : "";
            Print($"  {name,-20} unread {c.Unread,3}  max #{c.MaxSeq}{last}");
        }
    }

    private async Task HistoryAsync(string? argument)
    {
        if (Conversation is not { } conversation)
        {
            Print("choose a peer first: /to <user>");
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
            Print("choose a peer first: /to <user>");
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
        var text = m.Status switch
        {
            MessageStatus.Revoked => "(revoked)",
            MessageStatus.Deleted => "(deleted)",
            _ => m.Type == MessageType.Text ? m.Content : $"[{m.Type}] {m.Content}",
        };
        return $"[{time} {where} #{m.Seq}] {m.SenderId}: {text}";
    }

    private void Print(string line)
    {
        lock (_printLock)
        {
            output.WriteLine(line);
        }
    }
}
