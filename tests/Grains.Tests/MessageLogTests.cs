using ImOrleans.Grains.Storage;
using ImOrleans.Protocol.Messages;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImOrleans.Grains.Tests;

/// <summary>
/// The message log with overlapping appends (as a group grain uses it) on the real SQLite store, its turns run one at
/// a time as a grain's would: a failed batch among overlapping sends must cost those sends a resend, never a hole.
/// </summary>
public sealed class MessageLogTests : IAsyncLifetime
{
    private const string ConversationId = "g:overlap";

    private readonly SqliteStoreFolder _folder = new();

    /// <summary>Runs the test's turns one at a time, as the grain's scheduler does.</summary>
    private readonly TaskScheduler _turns = new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler;
    private MessageStore _store = null!;

    public async Task InitializeAsync() => _store = await _folder.StartStoreAsync();

    public Task DisposeAsync() => _folder.DeleteAsync(_store);

    [Fact]
    public async Task Sends_queued_behind_a_failed_batch_fail_too_and_the_next_send_takes_the_first_free_seq()
    {
        var staleCounters = 0;
        var log = new MessageLog(ConversationId, _store, TimeProvider.System, 64, NullLogger.Instance, () => staleCounters++);
        await InTurn(async () =>
        {
            await log.LoadAsync();
            await log.AppendAsync(Next(log, "one"));
            return 0;
        });

        var (two, three, four) = await InTurn(() =>
        {
            // One turn, as overlapping sends would: two and three go to the store at once; three breaks its batch
            // (a NOT NULL column left null). Four is queued after that batch has failed but before any turn has taken
            // the failure in, so it still carries the old counter: storing it would leave a hole.
            var two = log.AppendAsync(Next(log, "two"));
            var three = log.AppendAsync(Next(log, "three") with { Content = null! });
            WaitUntilTheStoreIsPast(three);
            var four = log.AppendAsync(Next(log, "four"));
            return Task.FromResult((two, three, four));
        });

        await Assert.ThrowsAsync<RequestRejectedException>(() => three.WithDeadline());
        await Assert.ThrowsAsync<RequestRejectedException>(() => four.WithDeadline());
        var twoStored = await Stored(two);

        var resent = await InTurn(async () =>
        {
            var message = Next(log, "four again");
            await log.AppendAsync(message);
            return message.Seq;
        });

        var firstFree = twoStored ? 3 : 2;
        Assert.Equal(firstFree, resent);
        Assert.Equal(firstFree, log.MaxSeq);
        var all = await _store.ReadRangeAsync(ConversationId, 1, 100, 100).WithDeadline();
        Assert.Equal(Enumerable.Range(1, firstFree).Select(seq => (long)seq), all.Select(m => m.Seq));
        Assert.Equal("four again", all[^1].Content);
        Assert.Equal(0, staleCounters);
    }

    [Fact]
    public async Task Overlapping_appends_are_taken_in_in_seq_order_and_each_runs_its_callback_once_with_its_origin()
    {
        var log = new MessageLog(ConversationId, _store, TimeProvider.System, 64, NullLogger.Instance, () => { });
        var seen = new List<(long Seq, string Origin)>();
        var appends = await InTurn(async () =>
        {
            await log.LoadAsync();
            return Enumerable.Range(1, 200)
                .Select(i => log.AppendAsync(Next(log, $"m{i}"), (m, origin) => seen.Add((m.Seq, origin)), $"session{i}"))
                .ToList();
        });

        var answers = await Task.WhenAll(appends).WithDeadline();

        Assert.Equal(Enumerable.Range(1, 200).Select(i => ((long)i, $"session{i}")), seen);
        Assert.Equal(Enumerable.Range(1, 200).Select(seq => (long)seq), answers.Select(a => a.Seq));
        Assert.Equal(200, log.MaxSeq);
    }

    private static StoredMessage Next(MessageLog log, string content) =>
        log.Next("alice", MessageType.Text, content, [], Guid.NewGuid().ToString(), 1);

    /// <summary>Blocks the turn (so nothing else of the log runs) until the store has finished the batch holding <paramref name="append"/>.</summary>
    private void WaitUntilTheStoreIsPast(Task append)
    {
        // A barrier queued behind the append completes (or fails with it) only once that batch is done.
        try
        {
            _store.MakeDurableAsync().Wait(TestExtensions.Deadline);
        }
        catch (AggregateException)
        {
            // It shared the failed batch: that batch is done all the same.
        }

        Assert.False(append.IsCompleted); // Its failure waits for a turn of the log to be taken in.
    }

    private static async Task<bool> Stored(Task append)
    {
        try
        {
            await append.WithDeadline();
            return true;
        }
        catch (RequestRejectedException)
        {
            return false;
        }
    }

    private Task<T> InTurn<T>(Func<Task<T>> turn) =>
        Task.Factory.StartNew(turn, CancellationToken.None, TaskCreationOptions.None, _turns).Unwrap().WithDeadline();
}
