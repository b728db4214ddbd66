using ImOrleans.Protocol.Messages;

namespace ImOrleans.GroupFanout;

/// <summary>Counts, per seq, how many online members have received it, and when the last of them did.</summary>
internal sealed class DeliveryTracker(string conversationId, long baseSeq, int messages, int receivers)
{
    private readonly int[] _counts = new int[messages];
    private readonly TaskCompletionSource<long>[] _done =
        Enumerable.Range(0, messages).Select(_ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();

    private int _duplicates;

    public int Duplicates => Volatile.Read(ref _duplicates);

    public void OnPush(MessagePush push, long receivedAt)
    {
        var index = push.Message.Seq - baseSeq;
        if (push.Message.ConversationId != conversationId || index < 0 || index >= _counts.Length)
        {
            return;
        }

        var count = Interlocked.Increment(ref _counts[index]);
        if (count == receivers)
        {
            _done[index].TrySetResult(receivedAt);
        }
        else if (count > receivers)
        {
            Interlocked.Increment(ref _duplicates);
        }
    }

    /// <summary>The Stopwatch timestamp at which the last receiver got <paramref name="seq"/>.</summary>
    public Task<long> CompletedAsync(long seq) => _done[seq - baseSeq].Task.WaitAsync(TimeSpan.FromSeconds(60));
}
