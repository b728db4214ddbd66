using System.Text;

namespace ImOrleans.LoadTest.Wire;

/// <summary>
/// Pushed messages: the fields the load tester needs are read straight from the body, the conversation's ledger
/// decides duplicate or new, and a delivery ack is queued when the contiguous position moved.
/// </summary>
internal sealed partial class WireSession
{
    private bool OnMessagePush(ReadOnlySpan<byte> body, long now)
    {
        var push = new ProtoSpanReader(body);
        ReadOnlySpan<byte> message = default;
        while (push.TryReadTag(out var field, out var wireType))
        {
            if (field == 1 && wireType == ProtoSpanReader.LengthDelimited)
            {
                message = push.ReadLengthDelimited();
            }
            else
            {
                push.Skip(wireType);
            }
        }

        ReadOnlySpan<byte> conversation = default, sender = default, content = default;
        long seq = 0;
        var reader = new ProtoSpanReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case 1 when wireType == ProtoSpanReader.LengthDelimited:
                    conversation = reader.ReadLengthDelimited();
                    break;
                case 2 when wireType == ProtoSpanReader.Varint:
                    seq = (long)reader.ReadVarint();
                    break;
                case 4 when wireType == ProtoSpanReader.LengthDelimited:
                    sender = reader.ReadLengthDelimited();
                    break;
                case 6 when wireType == ProtoSpanReader.LengthDelimited:
                    content = reader.ReadLengthDelimited();
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        if (seq <= 0 || conversation.IsEmpty)
        {
            return false;
        }

        var ledger = FindLedger(conversation);
        if (!ledger.Offer(seq))
        {
            _duplicates++;
        }
        else if (sender.SequenceEqual(_userIdUtf8))
        {
            _echoes++;
        }
        else
        {
            _delivered++;
            ledger.ReceivedFromPeer++;
            if (_traffic is not null && MessageStamp.TryParse(content, out var stamp))
            {
                _traffic.Latency.Record(MessageStamp.MicrosecondsBetween(stamp, now));
                _traffic.Group?.OnDelivered(seq, stamp, now);
            }
        }

        return QueueAckIfDue(ledger);
    }

    /// <summary>
    /// The server pushes a message to every session but the one that sent it, which learns the seq from the ack: it
    /// takes the seq like a push, and needs no delivered ack when it is the only message since the last one.
    /// </summary>
    private void OnOwnSendStored(ConversationLedger ledger, long seq)
    {
        if (seq <= 0 || !ledger.Offer(seq))
        {
            return;
        }

        _echoes++;
        if (ledger.Contiguous == seq && ledger.AckedSeq == seq - 1 && !ledger.AckQueued)
        {
            ledger.AckedSeq = seq;
        }
    }

    private ConversationLedger FindLedger(ReadOnlySpan<byte> conversationId)
    {
        Span<char> chars = stackalloc char[conversationId.Length];
        var count = Encoding.UTF8.GetChars(conversationId, chars);
        if (_lookup.TryGetValue(chars[..count], out var ledger))
        {
            return ledger;
        }

        // A conversation the scenario did not set up (someone else wrote to this user): track it all the same.
        var id = new string(chars[..count]);
        return AddConversation(id, -1, sendsHere: false);
    }

    private bool QueueAckIfDue(ConversationLedger ledger)
    {
        if (!ledger.NeedsAck)
        {
            return false;
        }

        if (_traffic is { AckDelayMs: > 0 } traffic && Environment.TickCount64 - ledger.LastAckMs < traffic.AckDelayMs)
        {
            ledger.AckDeferred = true;
            _deferredAcks.Add(ledger);
            return false;
        }

        ledger.AckQueued = true;
        _ackQueue.Add(ledger);
        return true;
    }

    private static ulong ReadUInt64Field(ReadOnlySpan<byte> body, int wanted)
    {
        var reader = new ProtoSpanReader(body);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == wanted && wireType == ProtoSpanReader.Varint)
            {
                return reader.ReadVarint();
            }

            reader.Skip(wireType);
        }

        return 0;
    }

    private static uint ReadUInt32Field(ReadOnlySpan<byte> body, int wanted)
    {
        var reader = new ProtoSpanReader(body);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == wanted && wireType == ProtoSpanReader.Varint)
            {
                return (uint)reader.ReadVarint();
            }

            reader.Skip(wireType);
        }

        return 0;
    }
}
