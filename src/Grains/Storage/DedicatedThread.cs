namespace ImOrleans.Grains.Storage;

/// <summary>
/// A loop that blocks in SQLite runs on a background thread of its own rather than on a pool thread, which it would
/// hold for as long as each call blocks.
/// </summary>
internal static class DedicatedThread
{
    /// <summary>Runs <paramref name="loop"/> on a new background thread; the task ends when it returns, or fails with what it threw.</summary>
    public static Task Start(string name, Action loop)
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                loop();
                ended.SetResult();
            }
            catch (Exception ex)
            {
                ended.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return ended.Task;
    }
}
