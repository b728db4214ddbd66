using System.Threading.Channels;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Client.Tests;

/// <summary>Turns a client's events into awaitable queues; every wait has a deadline.</summary>
internal sealed class ClientEvents
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly Channel<ChatMessage> _messages = Channel.CreateUnbounded<ChatMessage>();
    private readonly Channel<ImClientStateChangedEventArgs> _states = Channel.CreateUnbounded<ImClientStateChangedEventArgs>();
    private readonly Channel<KickedEventArgs> _kicks = Channel.CreateUnbounded<KickedEventArgs>();
    private readonly Channel<ReceiptPush> _receipts = Channel.CreateUnbounded<ReceiptPush>();

    public ClientEvents(ImClient client)
    {
        client.MessageReceived += (_, m) => _messages.Writer.TryWrite(m);
        client.StateChanged += (_, s) => _states.Writer.TryWrite(s);
        client.Kicked += (_, k) => _kicks.Writer.TryWrite(k);
        client.ReceiptReceived += (_, r) => _receipts.Writer.TryWrite(r);
    }

    public async Task<ChatMessage> NextMessageAsync() => await _messages.Reader.ReadAsync().AsTask().WaitAsync(Deadline);

    public async Task<List<long>> NextSeqsAsync(int count)
    {
        var seqs = new List<long>();
        for (var i = 0; i < count; i++)
        {
            seqs.Add((await NextMessageAsync()).Seq);
        }

        return seqs;
    }

    public async Task<ReceiptPush> NextReceiptAsync() => await _receipts.Reader.ReadAsync().AsTask().WaitAsync(Deadline);

    public async Task<KickedEventArgs> NextKickAsync() => await _kicks.Reader.ReadAsync().AsTask().WaitAsync(Deadline);

    /// <summary>The state changes up to and including the first that reaches <paramref name="state"/>.</summary>
    public async Task<List<ImClientState>> UntilStateAsync(ImClientState state)
    {
        var seen = new List<ImClientState>();
        while (true)
        {
            var change = await _states.Reader.ReadAsync().AsTask().WaitAsync(Deadline);
            seen.Add(change.Current);
            if (change.Current == state)
            {
                return seen;
            }
        }
    }
}
