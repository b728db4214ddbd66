using ImOrleans.Client;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.EndToEnd.Tests;

/// <summary>
/// One device of a user on the real SDK, recording what it receives so a test can wait — with a
/// deadline — for what the user would see.
/// </summary>
public sealed class ChatUser : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly object _gate = new();
    private readonly List<ChatMessage> _messages = [];
    private readonly List<ChatMessage> _notices = [];
    private readonly List<ChatMessage> _updates = [];
    private readonly List<ReceiptPush> _receipts = [];
    private readonly List<KickedEventArgs> _kicks = [];
    private TaskCompletionSource _changed = NewSignal();

    private ChatUser(ImClient client) => Client = client;

    public ImClient Client { get; }

    public string UserId => Client.Options.UserId;

    public static async Task<ChatUser> ConnectAsync(TestServer server, string userId, string deviceId = "phone", Func<ImClientOptions, ImClientOptions>? tune = null)
    {
        var options = new ImClientOptions
        {
            UserId = userId,
            DeviceId = deviceId,
            Endpoints = [server.Edge],
            TokenProvider = DevTokens.Provider(userId, TestServer.SigningKey),
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(100),
            ReconnectMaxDelay = TimeSpan.FromSeconds(1),
        };
        var user = new ChatUser(new ImClient(tune?.Invoke(options) ?? options));
        user.Client.MessageReceived += (_, m) => user.Record(user._messages, m);
        user.Client.NoticeReceived += (_, m) => user.Record(user._notices, m);
        user.Client.MessageUpdated += (_, m) => user.Record(user._updates, m);
        user.Client.ReceiptReceived += (_, r) => user.Record(user._receipts, r);
        user.Client.Kicked += (_, k) => user.Record(user._kicks, k);
        user.Client.StateChanged += (_, _) => user.Signal();
        await user.Client.ConnectAsync().WaitAsync(Deadline);
        return user;
    }

    public IReadOnlyList<ChatMessage> Messages
    {
        get { lock (_gate) { return [.. _messages]; } }
    }

    public IReadOnlyList<ChatMessage> MessagesIn(string conversationId) =>
        Messages.Where(m => m.ConversationId == conversationId).ToList();

    /// <summary>Business notices (NoticeReceived).</summary>
    public IReadOnlyList<ChatMessage> Notices
    {
        get { lock (_gate) { return [.. _notices]; } }
    }

    /// <summary>Status changes of messages already received (MessageUpdated: revoked, deleted).</summary>
    public IReadOnlyList<ChatMessage> Updates
    {
        get { lock (_gate) { return [.. _updates]; } }
    }

    public IReadOnlyList<ReceiptPush> Receipts
    {
        get { lock (_gate) { return [.. _receipts]; } }
    }

    public IReadOnlyList<KickedEventArgs> Kicks
    {
        get { lock (_gate) { return [.. _kicks]; } }
    }

    public Task<SendMessageResponse> SendAsync(string toUserId, string text) =>
        Client.SendTextAsync(Protocol.Identifiers.SingleConversation(UserId, toUserId), text).WaitAsync(Deadline);

    /// <summary>Waits until <paramref name="condition"/> holds, re-checking after every event; fails after the deadline.</summary>
    public async Task WaitUntilAsync(Func<ChatUser, bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(Deadline);
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
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"{UserId}/{Client.Options.DeviceId}: timed out waiting until {what}; has {Messages.Count} messages, {Receipts.Count} receipts, state {Client.State}");
            }
        }
    }

    public Task WaitForMessagesAsync(string conversationId, int count) =>
        WaitUntilAsync(u => u.MessagesIn(conversationId).Count >= count, $"{count} messages in {conversationId}");

    private void Record<T>(List<T> list, T item)
    {
        lock (_gate)
        {
            list.Add(item);
        }

        Signal();
    }

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = NewSignal();
        }

        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync() => await Client.DisposeAsync();
}
