using ImOrleans.Protocol.Messages;

namespace ImOrleans.Grains.Tests;

internal static class TestExtensions
{
    /// <summary>Every await in these tests has a deadline: a lost push fails the test instead of hanging it.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public static Task WithDeadline(this Task task) => task.WaitAsync(Deadline);

    public static Task<T> WithDeadline<T>(this Task<T> task) => task.WaitAsync(Deadline);

    /// <summary>Reads until <paramref name="until"/> holds for what was read, and returns it; fails at the deadline.</summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> until, string what = "the awaited state")
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            var value = await read().WithDeadline();
            if (until(value))
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{what} never came: last read {value}");
            await Task.Delay(50); // a poll interval, bounded by the deadline above
        }
    }

    /// <summary>A user id of its own for each test, so tests sharing the cluster never meet.</summary>
    public static string NewUser(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 13)];

    public static OutgoingMessage Text(string content, string? clientMsgId = null) => new()
    {
        ClientMsgId = clientMsgId ?? Guid.NewGuid().ToString(),
        Type = MessageType.Text,
        Content = content,
        ClientTimeMs = 1,
    };

    /// <summary>Until a message reaches both the receiver and the sender's session (sent from none of them) through the edge.</summary>
    public static async Task SendUntilTheEdgePushesAsync(IConversationGrain chat, string sender, TestSession senderSession, TestSession receiver, TestEdge edge)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (true)
        {
            var before = edge.Pushes;
            var sent = await chat.Send(sender, Text("warm-up")).WithDeadline();
            Assert.Equal(sent.Seq, (await receiver.NextMessageAsync()).Seq);
            Assert.Equal(sent.Seq, (await senderSession.NextMessageAsync()).Seq);
            if (edge.Pushes == before + 2)
            {
                return;
            }

            Assert.False(deadline.IsCancellationRequested, "the conversation never pushed through the edge");
        }
    }
}
