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

    private TestSession(string userId, string deviceId)
    {
        Info = new SessionInfo { SessionId = Guid.NewGuid().ToString("N"), DeviceId = deviceId, Platform = "test", EdgeId = "edge-test" };
        UserId = userId;
    }

    public SessionInfo Info { get; }

    public string UserId { get; }

    /// <summary>The observer reference the grain holds; kept here so it stays alive as long as the session.</summary>
    public ISessionObserver Reference { get; private set; } = null!;

    public static async Task<TestSession> ConnectAsync(ClusterFixture fixture, string userId, string deviceId)
    {
        var session = new TestSession(userId, deviceId);
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
