namespace ImOrleans.Integration.Tests;

/// <summary>Every await in these tests has a deadline, so a lost message or a hung process fails the test instead of hanging the run.</summary>
internal static class Deadlines
{
    /// <summary>One call against a healthy system.</summary>
    public static readonly TimeSpan Short = TimeSpan.FromSeconds(15);

    /// <summary>Starting processes, failover, a whole scenario's traffic draining.</summary>
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(90);

    public static Task WithDeadline(this Task task, TimeSpan? deadline = null) => task.WaitAsync(deadline ?? Short);

    public static Task<T> WithDeadline<T>(this Task<T> task, TimeSpan? deadline = null) => task.WaitAsync(deadline ?? Short);

    /// <summary>Polls <paramref name="condition"/> every 200 ms until it holds; fails the test after <see cref="Short"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        using var deadline = new CancellationTokenSource(Short);
        while (!await condition())
        {
            try
            {
                await Task.Delay(200, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"timed out waiting until {what}");
            }
        }
    }
}
