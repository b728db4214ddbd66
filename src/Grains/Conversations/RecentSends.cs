namespace ImOrleans.Grains;

/// <summary>
/// The last sends of a conversation by (sender, client message id), oldest evicted first: answers
/// a quick resend without a store lookup. Bounded, so a busy conversation's memory does not grow.
/// </summary>
internal sealed class RecentSends(int capacity)
{
    private readonly Dictionary<(string SenderId, string ClientMsgId), StoredMessage> _messages = [];
    private readonly Queue<(string SenderId, string ClientMsgId)> _order = new();

    public StoredMessage? Find(string senderId, string clientMsgId) =>
        _messages.GetValueOrDefault((senderId, clientMsgId));

    public void Add(StoredMessage message)
    {
        var key = (message.SenderId, message.ClientMsgId);
        if (!_messages.TryAdd(key, message))
        {
            return;
        }

        _order.Enqueue(key);
        if (_order.Count > capacity)
        {
            _messages.Remove(_order.Dequeue());
        }
    }
}
