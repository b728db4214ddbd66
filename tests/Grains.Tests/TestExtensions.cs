using ImOrleans.Protocol.Messages;

namespace ImOrleans.Grains.Tests;

internal static class TestExtensions
{
    /// <summary>Every await in these tests has a deadline: a lost push fails the test instead of hanging it.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public static Task WithDeadline(this Task task) => task.WaitAsync(Deadline);

    public static Task<T> WithDeadline<T>(this Task<T> task) => task.WaitAsync(Deadline);

    /// <summary>A user id of its own for each test, so tests sharing the cluster never meet.</summary>
    public static string NewUser(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 13)];

    public static OutgoingMessage Text(string content, string? clientMsgId = null) => new()
    {
        ClientMsgId = clientMsgId ?? Guid.NewGuid().ToString(),
        Type = MessageType.Text,
        Content = content,
        ClientTimeMs = 1,
    };
}
