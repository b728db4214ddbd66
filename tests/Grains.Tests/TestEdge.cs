using ErrorCode = ImOrleans.Protocol.ErrorCode;

namespace ImOrleans.Grains.Tests;

/// <summary>
/// An edge's fan-out endpoint as a grain sees it: it hands what it is given to the sessions of the named users that
/// connected through it (<see cref="TestSession.ConnectAsync"/> with this edge), and counts the pushes it handled.
/// </summary>
public sealed class TestEdge : IEdgeFanout
{
    private readonly List<TestSession> _sessions = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, TaskCompletionSource<(SendResult?, ErrorCode)>> _answers = new();
    private int _pushes;

    private TestEdge()
    {
    }

    /// <summary>The reference sessions register with their user grains; kept here so it stays alive with the edge.</summary>
    public IEdgeFanout Reference { get; private set; } = null!;

    /// <summary>Messages and receipts this edge was asked to push, counted per named user.</summary>
    public int Pushes => Volatile.Read(ref _pushes);

    public static TestEdge Create(ClusterFixture fixture)
    {
        var edge = new TestEdge();
        edge.Reference = fixture.Client.CreateObjectReference<IEdgeFanout>(edge);
        return edge;
    }

    public void Add(TestSession session)
    {
        lock (_sessions)
        {
            _sessions.Add(session);
        }
    }

    public Task OnMessage(StoredMessage message, IReadOnlyList<string> userIds) =>
        PushAsync(userIds, session => session.OnMessage(message));

    public Task OnReceipt(Receipt receipt, IReadOnlyList<string> userIds) =>
        PushAsync(userIds, session => session.OnReceipt(receipt));

    public Task OnOwnMessage(StoredMessage message, string senderId, string originSessionId) =>
        PushAsync([senderId], session => session.OnMessage(message), exceptSessionId: originSessionId);

    /// <summary>The answer to the send made with <paramref name="token"/> (<see cref="IConversationGrain.SendWithReply"/>): a result, or the refusal's code.</summary>
    public Task<(SendResult? Result, ErrorCode Refused)> AnswerTo(long token) => Answer(token).Task.WithDeadline();

    public Task OnSendAnswered(long token, SendResult result)
    {
        Answer(token).TrySetResult((result, ErrorCode.None));
        return Task.CompletedTask;
    }

    public Task OnSendRefused(long token, ErrorCode code, string reason)
    {
        Answer(token).TrySetResult((null, code));
        return Task.CompletedTask;
    }

    private TaskCompletionSource<(SendResult?, ErrorCode)> Answer(long token) =>
        _answers.GetOrAdd(token, _ => new TaskCompletionSource<(SendResult?, ErrorCode)>(TaskCreationOptions.RunContinuationsAsynchronously));

    private Task PushAsync(IReadOnlyList<string> userIds, Func<TestSession, Task> push, string? exceptSessionId = null)
    {
        List<TestSession> targets;
        lock (_sessions)
        {
            targets = [.. _sessions.Where(s => userIds.Contains(s.UserId) && s.Info.SessionId != exceptSessionId)];
        }

        Interlocked.Add(ref _pushes, userIds.Count);
        return Task.WhenAll(targets.Select(push));
    }
}
