using System.Diagnostics;
using HdrHistogram;
using ImOrleans.LoadTest.Metrics;
using ImOrleans.LoadTest.Wire;

namespace ImOrleans.LoadTest.Scenarios;

/// <summary>
/// Opens and logs in a set of wire sessions at a ramp rate (or as fast as a concurrency cap allows), timing each
/// login from the TCP connect to the login answer.
/// </summary>
internal sealed class SessionLauncher(LoadTestSettings settings, string[] tokens)
{
    private readonly LongHistogram _logins = new(60_000_000, 3);
    private readonly SourceAddresses _sources = new(settings.SourceAddresses);
    private int _online;
    private int _failed;
    private string? _firstError;
    private long _lastLogin;

    public int Online => Volatile.Read(ref _online);

    public int Failed => Volatile.Read(ref _failed);

    public string? FirstError => _firstError;

    /// <summary>Opens every session; returns when each has logged in or failed.</summary>
    public async Task OpenAllAsync(IReadOnlyList<WireSession> sessions, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(Math.Max(1, settings.ConnectConcurrency));
        var started = Stopwatch.GetTimestamp();
        var tasks = new List<Task>(sessions.Count);
        for (var i = 0; i < sessions.Count; i++)
        {
            if (settings.Ramp > 0)
            {
                var due = TimeSpan.FromSeconds(i / settings.Ramp) - Stopwatch.GetElapsedTime(started);
                if (due > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(due, cancellationToken).ConfigureAwait(false);
                }
            }

            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            tasks.Add(OpenOneAsync(sessions[i], tokens[i], gate, cancellationToken));
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        StartedAt = started;
    }

    public long StartedAt { get; private set; }

    public void Report(Reports.RunReport report)
    {
        report.SessionsOnline = Online;
        report.LoginFailures = Failed;
        report.FirstLoginError = _firstError;
        var toAll = _lastLogin > 0 ? Stopwatch.GetElapsedTime(StartedAt, _lastLogin).TotalSeconds : 0;
        report.TimeToAllOnlineSeconds = Math.Round(toAll, 3);
        report.LoginsPerSecond = toAll > 0 ? Math.Round(Online / toAll, 1) : null;
        lock (_logins)
        {
            var summary = LatencySummary.From(_logins);
            report.LoginP50Ms = summary.P50;
            report.LoginP99Ms = summary.P99;
        }
    }

    private async Task OpenOneAsync(WireSession session, string token, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        var begin = Stopwatch.GetTimestamp();
        try
        {
            await session.ConnectAndLoginAsync(token, _sources.Next(), cancellationToken).ConfigureAwait(false);
            var end = Stopwatch.GetTimestamp();
            lock (_logins)
            {
                _logins.RecordValue(Math.Max(1, (long)Stopwatch.GetElapsedTime(begin, end).TotalMicroseconds));
                _lastLogin = Math.Max(_lastLogin, end);
            }

            Interlocked.Increment(ref _online);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _failed);
            Interlocked.CompareExchange(ref _firstError, ex.Message, null);
        }
        finally
        {
            gate.Release();
        }
    }
}
