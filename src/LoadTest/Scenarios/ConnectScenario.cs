using System.Diagnostics;
using ImOrleans.LoadTest.Metrics;
using ImOrleans.LoadTest.Reports;
using ImOrleans.LoadTest.Wire;

namespace ImOrleans.LoadTest.Scenarios;

/// <summary>
/// <c>connect</c>: opens N sessions at the ramp rate, holds them with heartbeats for the duration, and reports
/// logins/s, login latency, time to all online, sessions dropped while held, and the server's RSS per session.
/// </summary>
internal sealed class ConnectScenario(LoadTestSettings settings) : IScenario
{
    private WireSession[] _sessions = [];
    private SessionLauncher? _launcher;
    private string _phase = "minting tokens";
    private long _holdStarted;

    public string Status()
    {
        var online = _launcher?.Online ?? 0;
        var held = _holdStarted > 0 ? $", held {Stopwatch.GetElapsedTime(_holdStarted).TotalSeconds:F0}/{settings.Duration.TotalSeconds:F0} s" : "";
        var dropped = _sessions.Count(s => s.Dropped);
        return $"{_phase}: online {online}/{settings.Users}, failed {_launcher?.Failed ?? 0}, dropped {dropped}{held}";
    }

    public async Task<RunReport> RunAsync(CancellationToken cancellationToken)
    {
        var report = new RunReport { Scenario = "connect", RunId = settings.RunId, Users = settings.Users, Mode = settings.Ramp > 0 ? $"ramp {settings.Ramp}/s" : "as fast as possible" };
        var tokens = TokenMint.MintAll(settings, settings.Users);
        var options = new WireSessionOptions { Server = settings.ServerFor(0), ReceiveBufferSize = 1024, SendBufferSize = 256 };
        _sessions = Enumerable.Range(0, settings.Users).Select(i => new WireSession(i, settings.UserId(i), options.For(settings, i))).ToArray();
        var sampler = new ProcessSampler(settings.ServerPid);
        var rssCold = sampler.ServerRssKiB();
        if (settings.WarmupSessions > 0)
        {
            _phase = "warming up";
            await WarmUpAsync(options, cancellationToken).ConfigureAwait(false);
        }

        var rssBefore = sampler.ServerRssKiB();
        _launcher = new SessionLauncher(settings, tokens);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeats = HeartbeatTicker.RunAsync(_sessions, stop.Token);
        try
        {
            _phase = "logging in";
            var begin = sampler.Mark();
            await _launcher.OpenAllAsync(_sessions, cancellationToken).ConfigureAwait(false);
            var loggedIn = sampler.Mark();
            _launcher.Report(report);

            _phase = "holding";
            _holdStarted = Stopwatch.GetTimestamp();
            await Task.Delay(settings.Duration, cancellationToken).ConfigureAwait(false);
            var end = sampler.Mark();
            var rssAfter = sampler.ServerRssKiB();

            report.DurationSeconds = Math.Round(end.Since(begin).WallSeconds, 2);
            report.MeasuredSeconds = Math.Round(end.Since(loggedIn).WallSeconds, 2);
            report.Dropped = _sessions.Count(s => s.Dropped);
            report.FirstDropCause = _sessions.FirstOrDefault(s => s.Dropped)?.DropCause;
            var loginCpu = loggedIn.Since(begin);
            var wholeCpu = end.Since(begin);
            report.LoadTesterCores = Math.Round(wholeCpu.OwnCores, 3);
            report.LoadTesterGcPausePercent = Math.Round(wholeCpu.OwnGcPauseShare * 100, 2);
            report.ServerCores = Round(wholeCpu.ServerCores);
            if (loginCpu.ServerCores is { } serverCores && report.SessionsOnline > 0)
            {
                report.ServerCpuMicrosPerUnit = Math.Round(serverCores * loginCpu.WallSeconds * 1e6 / report.SessionsOnline.Value, 1);
            }

            report.ServerRssBaselineMiB = rssBefore / 1024.0;
            report.ServerRssMiB = rssAfter / 1024.0;
            if (rssBefore is { } before && rssAfter is { } after && report.SessionsOnline > 0)
            {
                report.RssPerSessionKiB = Math.Round((after - before) / (double)report.SessionsOnline.Value, 2);
            }

            if (settings.WarmupSessions > 0)
            {
                report.WarmupSessions = settings.WarmupSessions;
                report.ServerRssColdBaselineMiB = rssCold / 1024.0;
                if (rssCold is { } cold && rssAfter is { } afterAll && report.SessionsOnline > 0)
                {
                    report.RssPerSessionColdKiB = Math.Round((afterAll - cold) / (double)report.SessionsOnline.Value, 2);
                }
            }
        }
        finally
        {
            _phase = "closing";
            await stop.CancelAsync().ConfigureAwait(false);
            await heartbeats.ConfigureAwait(false);
            await Task.WhenAll(_sessions.Select(s => s.DisposeAsync().AsTask())).ConfigureAwait(false);
        }

        return report;
    }

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 3) : null;

    /// <summary>
    /// Logs in <see cref="LoadTestSettings.WarmupSessions"/> sessions of other users (<see cref="LoadTestSettings.WarmupUsers"/>), holds them a
    /// second, closes them and gives the server two seconds to unregister them. What a server pays once (compiled
    /// code, grown pools and thread stacks, the collector's allocation budget first touched) then lands before the
    /// baseline instead of in the per-session figure; the warm-up users' grains stay active, so the measured
    /// sessions still pay for grains of their own.
    /// </summary>
    private async Task WarmUpAsync(WireSessionOptions options, CancellationToken cancellationToken)
    {
        var warm = settings.WarmupUsers();
        var tokens = TokenMint.MintAll(warm, warm.Users);
        var sessions = Enumerable.Range(0, warm.Users).Select(i => new WireSession(i, warm.UserId(i), options.For(warm, i))).ToArray();
        try
        {
            await new SessionLauncher(warm, tokens).OpenAllAsync(sessions, cancellationToken).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await Task.WhenAll(sessions.Select(s => s.DisposeAsync().AsTask())).ConfigureAwait(false);
        }

        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
    }
}
