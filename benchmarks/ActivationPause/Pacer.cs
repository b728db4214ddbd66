using System.Diagnostics;

namespace ImOrleans.ActivationPause;

/// <summary>
/// Open loop on a thread of its own: every millisecond it starts the messages due since the last round, each to a
/// random grain and stamped with the time it was due, so a stalled silo shows as latency, not as a slower sender.
/// </summary>
internal sealed class Pacer(IPingGrain[] targets, PauseOptions options, LatencySamples latency)
{
    private volatile bool _stopping;
    private long _failures;

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Runs the pacer on a thread of its own until <see cref="StopAsync"/>.</summary>
    public Task RunAsync() => Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public async Task StopAsync(Task run)
    {
        _stopping = true;
        await run;
    }

    private void Run()
    {
        var start = Stopwatch.GetTimestamp();
        var ticksPerMessage = Stopwatch.Frequency / (double)options.Rate;
        long started = 0;
        while (!_stopping)
        {
            var now = Stopwatch.GetTimestamp();
            var due = (long)((now - start) / ticksPerMessage);
            for (; started < due; started++)
            {
                // Started from a pool thread, as the edge's calls are: Orleans pools the objects that carry a call's
                // answer per thread, and one thread that only calls while others only answer grows a pool without end.
                ThreadPool.UnsafeQueueUserWorkItem(static state => state.Pacer.Send(state.Stamp), (Pacer: this, Stamp: start + (long)(started * ticksPerMessage)), preferLocal: false);
            }

            Thread.Sleep(1);
        }
    }

    private void Send(long stamp)
    {
        var grain = targets[Random.Shared.Next(targets.Length)];
        _ = CallAsync(grain, stamp);
        for (var i = 0; i < options.OneWay; i++)
        {
            grain.Touch(stamp).Ignore();
        }
    }

    private async Task CallAsync(IPingGrain grain, long stamp)
    {
        try
        {
            await grain.Ping(stamp);
            latency.Record(Stopwatch.GetTimestamp() - stamp);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _failures);
        }
    }
}
