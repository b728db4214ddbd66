using System.Net;
using ImOrleans.Client;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.Integration.Tests;

/// <summary>
/// One device of a user on the real SDK, connected to a process cluster, recording every message the SDK raises
/// (pushed, gap-filled or synced: the SDK raises each (conversation, seq) once) so a test can count them.
/// </summary>
internal sealed class ClusterUser : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly List<ChatMessage> _messages = [];
    private readonly List<ImClientState> _states = [];
    private readonly NavigationClient? _navigation;
    private TaskCompletionSource _changed = NewSignal();

    private ClusterUser(ImClient client, NavigationClient? navigation)
    {
        Client = client;
        _navigation = navigation;
    }

    public ImClient Client { get; }

    public string UserId => Client.Options.UserId;

    public IReadOnlyList<ChatMessage> Messages
    {
        get { lock (_gate) { return [.. _messages]; } }
    }

    public IReadOnlyList<ImClientState> States
    {
        get { lock (_gate) { return [.. _states]; } }
    }

    /// <summary>
    /// Connects first to <paramref name="firstEdge"/> when given (so a test can place users on edges), and otherwise,
    /// and for every reconnect, to the edges navigation lists.
    /// </summary>
    public static async Task<ClusterUser> ConnectAsync(ProcessCluster cluster, string userId, IPEndPoint? firstEdge = null, string deviceId = "phone")
    {
        var navigation = new NavigationClient(cluster.NavigationUrls, TimeSpan.FromSeconds(2));
        var pinned = firstEdge;
        var options = new ImClientOptions
        {
            UserId = userId,
            DeviceId = deviceId,
            EndpointProvider = async cancellationToken =>
            {
                if (Interlocked.Exchange(ref pinned, null) is { } edge)
                {
                    return [edge];
                }

                return await navigation.GetEdgesAsync(cancellationToken);
            },
            TokenProvider = DevTokens.Provider(userId, ProcessCluster.SigningKey),
            ConnectTimeout = TimeSpan.FromSeconds(2),
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(200),
            ReconnectMaxDelay = TimeSpan.FromSeconds(1),
            MaxReconnectAttempts = 100,
            SendAckTimeout = TimeSpan.FromSeconds(3),
            RequestTimeout = TimeSpan.FromSeconds(10),
        };
        var user = new ClusterUser(new ImClient(options), navigation);
        user.Client.MessageReceived += (_, m) => user.Record(() => user._messages.Add(m));
        user.Client.StateChanged += (_, e) => user.Record(() => user._states.Add(e.Current));
        await user.Client.ConnectAsync().WithDeadline();
        return user;
    }

    public IReadOnlyList<ChatMessage> MessagesIn(string conversationId) =>
        Messages.Where(m => m.ConversationId == conversationId).ToList();

    /// <summary>Waits until <paramref name="condition"/> holds, re-checking after every event; fails after the deadline.</summary>
    public async Task WaitUntilAsync(Func<ClusterUser, bool> condition, string what, TimeSpan? deadline = null)
    {
        using var timeout = new CancellationTokenSource(deadline ?? Deadlines.Short);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            if (condition(this))
            {
                return;
            }

            try
            {
                // Also re-check now and then: a condition may depend on time or another user.
                await changed.WaitAsync(TimeSpan.FromMilliseconds(500), timeout.Token);
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"{UserId}: timed out waiting until {what}; has {Messages.Count} messages, state {Client.State}");
            }
        }
    }

    /// <summary>Every message of the conversation in the store, by paging back from the newest.</summary>
    public async Task<List<ChatMessage>> PullAllAsync(string conversationId)
    {
        var all = new List<ChatMessage>();
        long maxSeq = 0;
        while (true)
        {
            var page = await Client.PullMessagesAsync(conversationId, 1, maxSeq, 100).WithDeadline();
            all.InsertRange(0, page.Messages);
            if (page.Messages.Count < 100 || page.Messages[0].Seq <= 1)
            {
                return all;
            }

            maxSeq = page.Messages[0].Seq - 1;
        }
    }

    private void Record(Action change)
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            change();
            previous = _changed;
            _changed = NewSignal();
        }

        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        _navigation?.Dispose();
    }
}
