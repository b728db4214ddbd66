namespace ImOrleans.Client.Internal;

/// <summary>
/// The client message ids this client sent lately, so the server's echo of them can be told apart from
/// messages sent elsewhere. Bounded: the oldest id is forgotten first.
/// </summary>
internal sealed class RecentIdSet(int capacity)
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public void Add(string id)
    {
        lock (_lock)
        {
            if (!_ids.Add(id))
            {
                return;
            }

            _order.Enqueue(id);
            while (_order.Count > capacity)
            {
                _ids.Remove(_order.Dequeue());
            }
        }
    }

    public bool Contains(string id)
    {
        lock (_lock)
        {
            return _ids.Contains(id);
        }
    }
}
