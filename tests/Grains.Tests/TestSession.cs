using System.Threading.Channels;
using ImOrleans.Protocol;

namespace ImOrleans.Grains.Tests;

/// <summary>A device's session as an edge would register it: records what the user grain pushes.</summary>
public sealed class TestSession : ISessionObserver
{
    private readonly Channel<StoredMessage> _messages = Channel.CreateUnbounded<StoredMessage>();
    private readonly Channel<Receipt> _receipts = Channel.CreateUnbounded<Receipt>();
    private readonly TaskCompletionSource<(KickReason Reason, string Message)> _kicked =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TestSession(string userId, string deviceId, TestEdge? edge)
    {
        Info = new SessionInfo { SessionId = Guid.NewGuid().ToString("N"), DeviceId = deviceId, Platform = "test", EdgeId = "edge-test", Edge = edge?.Reference };
        UserId = userId;
    }

    public SessionInfo Info { get; }

    public string UserId { get; }

    /// <summary>The observer reference the grain holds; kept here so it stays alive as long as the session.</summary>
    public ISessionObserver Reference { get; private set; } = null!;

    /// <summary>
    /// Registers the session with the user grain. With <paramref name="edge"/>, the session is held by that edge: the
    /// edge's pushes for the user reach it too (as a 1:1 conversation sends them); without, it is on a host without a
    /// fan-out endpoint, reached through its observer only.
    /// </summary>
    public static async Task<TestSession> ConnectAsync(ClusterFixture fixture, string userId, string deviceId, TestEdge? edge = null)
    {
        var session = new TestSession(userId, deviceId, edge);
        edge?.Add(session);
        session.Reference = fixture.Client.CreateObjectReference<ISessionObserver>(session);
        await fixture.User(userId).Connect(session.Info, session.Reference).WithDeadline();
        return session;
    }

    public Task<StoredMessage> NextMessageAsync() => _messages.Reader.ReadAsync().AsTask().WithDeadline();

    public Task<Receipt> NextReceiptAsync() => _receipts.Reader.ReadAsync().AsTask().WithDeadline();

    public Task<(KickReason Reason, string Message)> KickedAsync() => _kicked.Task.WithDeadline();

    public Task OnMessage(StoredMessage message) => Write(_messages, message);

    public Task OnReceipt(Receipt receipt) => Write(_receipts, receipt);

    public Task OnKicked(KickReason reason, string message)
    {
        _kicked.TrySetResult((reason, message));
        return Task.CompletedTask;
    }

    private static Task Write<T>(Channel<T> channel, T item)
    {
        channel.Writer.TryWrite(item);
        return Task.CompletedTask;
    }
}
