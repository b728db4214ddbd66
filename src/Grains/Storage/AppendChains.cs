namespace ImOrleans.Grains.Storage;

/// <summary>
/// Names append chains (see <see cref="IMessageStore.AppendAsync"/>): one per message log from its load and after each
/// failed append, unique within the process, which is all the store's writer compares them in.
/// </summary>
public static class AppendChains
{
    private static long _last;

    public static long Next() => Interlocked.Increment(ref _last);
}
