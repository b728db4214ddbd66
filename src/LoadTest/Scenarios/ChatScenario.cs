using System.Diagnostics;
using ImOrleans.LoadTest.Metrics;
using ImOrleans.LoadTest.Reports;
using ImOrleans.LoadTest.Wire;

namespace ImOrleans.LoadTest.Scenarios;

/// <summary>
/// <c>chat</c>: N users on lean wire sessions send 1:1 messages to random contacts, closed loop (W unanswered sends
/// per user) or open loop (R sends/s in all, stamped with their scheduled time so a stalled server shows up as
/// latency rather than as a slower sender). Unless switched off, every user first sends one message to each of its
/// contacts, so the measured window sees established conversations. Deliveries are the receivers' pushes; lost =
/// sends the server acked whose receiver never got them by the end of the drain.
/// </summary>
internal sealed class ChatScenario(LoadTestSettings settings) : IScenario
{
    private readonly LatencyRecorder _latency = new();
    private readonly List<LatencySample> _timeline = [];
    private WireSession[] _sessions = [];
    private SessionLauncher? _launcher;
    private string _phase = "minting tokens";
    private LatencySummary _lastSecond = LatencySummary.Empty;
    private long _lastDelivered;
    private double _lastRate;

    public IReadOnlyList<LatencySample> Timeline => _timeline;

    public LatencyRecorder Latency => _latency;

    public string Status()
    {
        if (_launcher is null || _phase == "logging in")
        {
            return $"{_phase}: online {_launcher?.Online ?? 0}/{settings.Users}, failed {_launcher?.Failed ?? 0}";
        }

        return $"{_phase}: sent {_sessions.Sum(s => s.Sent):N0}, acked {_sessions.Sum(s => s.Acked):N0}, delivered {_lastDelivered:N0} " +
            $"({_lastRate:N0}/s), p50 {_lastSecond.P50:F2} ms, p99 {_lastSecond.P99:F2} ms, in flight {_sessions.Sum(s => s.InFlight):N0}";
    }

    public async Task<RunReport> RunAsync(CancellationToken cancellationToken)
    {
        var openLoop = settings.Rate > 0;
        var report = new RunReport
        {
            Scenario = "chat",
            RunId = settings.RunId,
            Users = settings.Users,
            Mode = (openLoop ? $"open loop {settings.Rate:N0}/s" : $"closed loop W={settings.Window}") + (settings.AckDelayMs > 0 ? $", acks every {settings.AckDelayMs} ms" : ""),
            TargetRate = openLoop ? settings.Rate : null,
        };
        var traffic = new ChatTraffic(openLoop ? 0 : Math.Max(1, settings.Window), settings.BodySize, _latency, settings.AckDelayMs);
        var tokens = TokenMint.MintAll(settings, settings.Users);
        var options = new WireSessionOptions { Server = settings.ServerFor(0) };
        _sessions = Enumerable.Range(0, settings.Users).Select(i => new WireSession(i, settings.UserId(i), options.For(settings, i), traffic)).ToArray();
        foreach (var session in _sessions)
        {
            session.SetMessageIdPrefix($"{settings.RunId}-{session.Index}-");
        }

        Contacts.Build(settings, settings.Users, (from, to, conversation) =>
        {
            _sessions[from].AddConversation(conversation, to, sendsHere: true);
            _sessions[to].AddConversation(conversation, from, sendsHere: false);
        });

        var sampler = new ProcessSampler(settings.ServerPid);
        _launcher = new SessionLauncher(settings, tokens);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tick = settings.AckDelayMs > 0 ? TimeSpan.FromMilliseconds(Math.Clamp(settings.AckDelayMs / 2, 5, 1000)) : (TimeSpan?)null;
        var heartbeats = HeartbeatTicker.RunAsync(_sessions, stop.Token, tick);
        try
        {
            _phase = "logging in";
            await _launcher.OpenAllAsync(_sessions, cancellationToken).ConfigureAwait(false);
            _launcher.Report(report);
            var live = _sessions.Where(s => s.IsLoggedIn).ToArray();
            if (settings.OpenConversations)
            {
                _phase = "opening conversations";
                await OpenConversationsAsync(traffic, live, report, cancellationToken).ConfigureAwait(false);
            }

            _phase = "warming up";
            var begin = sampler.Mark();
            traffic.Sending = true;
            var pacer = openLoop ? PaceAsync(traffic, live, settings.Rate, stop.Token) : Task.CompletedTask;
            WakeAll(live);

            await Task.Delay(settings.Warmup, cancellationToken).ConfigureAwait(false);
            _latency.TakeInterval(keep: false);
            traffic.SendLag.TakeInterval(keep: false);
            var measureStart = sampler.Mark();
            var deliveredAtStart = _sessions.Sum(s => s.Delivered);

            _phase = "running";
            await MeasureAsync(measureStart.Timestamp, settings.Duration, cancellationToken).ConfigureAwait(false);
            var measureEnd = sampler.Mark();
            var deliveredAtEnd = _sessions.Sum(s => s.Delivered);
            traffic.Sending = false;
            traffic.SendLag.TakeInterval(keep: true);
            await pacer.ConfigureAwait(false);

            _phase = "draining";
            report.Drained = await DrainAsync(settings.Drain, cancellationToken).ConfigureAwait(false);
            _latency.TakeInterval(keep: true);

            var window = measureEnd.Since(measureStart);
            report.DurationSeconds = Math.Round(measureEnd.Since(begin).WallSeconds, 2);
            report.MeasuredSeconds = Math.Round(window.WallSeconds, 2);
            var deliveredInWindow = deliveredAtEnd - deliveredAtStart;
            report.DeliveredPerSecond = Math.Round(deliveredInWindow / window.WallSeconds, 1);
            report.LoadTesterCores = Math.Round(window.OwnCores, 3);
            report.LoadTesterGcPausePercent = Math.Round(window.OwnGcPauseShare * 100, 2);
            report.ServerCores = window.ServerCores is { } serverCores ? Math.Round(serverCores, 3) : null;
            if (window.ServerCores is { } cores && deliveredInWindow > 0)
            {
                report.ServerCpuMicrosPerUnit = Math.Round(cores * window.WallSeconds * 1e6 / deliveredInWindow, 1);
            }

            report.ServerRssMiB = sampler.ServerRssKiB() / 1024.0;
            FillCounts(report);
            report.Latency = LatencySummary.From(_latency.Total);
            report.SendLag = openLoop ? LatencySummary.From(traffic.SendLag.Total) : null;
        }
        finally
        {
            _phase = "closing";
            traffic.Sending = false;
            await stop.CancelAsync().ConfigureAwait(false);
            await heartbeats.ConfigureAwait(false);
            await Task.WhenAll(_sessions.Select(s => s.DisposeAsync().AsTask())).ConfigureAwait(false);
        }

        return report;
    }

    /// <summary>
    /// Sends one message from every session to each of its contacts (closed loop, in contact order) and waits until
    /// all are answered and delivered or the drain deadline passes. Creating a conversation costs the server several
    /// durable writes; done here, thousands of creations do not land in the measured window. The counts keep these
    /// messages; their latencies are dropped with the warm-up's.
    /// </summary>
    private async Task OpenConversationsAsync(ChatTraffic traffic, WireSession[] live, RunReport report, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        traffic.Opening = true;
        traffic.Sending = true;
        WakeAll(live);
        report.OpeningCompleted = await WaitUntilAsync(() => live.All(s => s.Dropped || s.OpenedAllContacts) && Settled(), settings.Drain, cancellationToken)
            .ConfigureAwait(false);
        report.OpeningSeconds = Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 2);
        report.ConversationsOpened = _sessions.Sum(s => s.Acked);
        traffic.Opening = false;
    }

    private static void WakeAll(WireSession[] sessions)
    {
        foreach (var session in sessions)
        {
            session.Wake();
        }
    }

    /// <summary>Samples throughput and latency once a second for the live view and the plot.</summary>
    private async Task MeasureAsync(long start, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var previous = _sessions.Sum(s => s.Delivered);
        var previousAt = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < duration)
        {
            var left = duration - Stopwatch.GetElapsedTime(start);
            if (left < TimeSpan.FromSeconds(1))
            {
                await Task.Delay(left, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
            }

            var now = Stopwatch.GetTimestamp();
            var delivered = _sessions.Sum(s => s.Delivered);
            _lastRate = (delivered - previous) / Stopwatch.GetElapsedTime(previousAt, now).TotalSeconds;
            _lastDelivered = delivered;
            previous = delivered;
            previousAt = now;
            _lastSecond = _latency.TakeInterval(keep: true);
            _timeline.Add(new LatencySample(Stopwatch.GetElapsedTime(start, now).TotalSeconds, _lastRate, _lastSecond));
        }
    }

    /// <summary>
    /// Open loop: schedules sends at the target rate over the sessions in turn, each stamped with the time it was due
    /// (so time lost anywhere, the pacer included, counts as latency).
    /// </summary>
    /// <summary>
    /// How many open-loop sends are due <paramref name="elapsedTicks"/> after the start: send k is due at k intervals,
    /// so sends 0..floor(elapsed / interval) are. (Counting floor(elapsed / interval) sent each one an interval after
    /// the time stamped in it, and every open-loop latency read one interval too high: 200 ms at 5 msgs/s.)
    /// </summary>
    internal static long SendsDue(long elapsedTicks, double ticksPerSend) => (long)(elapsedTicks / ticksPerSend) + 1;

    /// <summary>
    /// Open loop: hands each session its sends at their due times, round robin, from a thread of its own that wakes
    /// about every millisecond. A 1 ms <see cref="PeriodicTimer"/> ticked every few milliseconds under load (through the
    /// timer thread and then the pool), so sends left in bursts, 2.2 ms after their due time at the median.
    /// </summary>
    internal static Task PaceAsync(ChatTraffic traffic, WireSession[] sessions, double rate, CancellationToken cancellationToken)
    {
        if (sessions.Length == 0)
        {
            return Task.CompletedTask;
        }

        return Task.Factory.StartNew(() => Pace(traffic, sessions, rate, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private static void Pace(ChatTraffic traffic, WireSession[] sessions, double rate, CancellationToken cancellationToken)
    {
        Thread.CurrentThread.Name = "Pacer"; // A long-running task's own thread: named for per-thread CPU figures.
        var order = sessions.ToArray();
        Random.Shared.Shuffle(order);
        var start = Stopwatch.GetTimestamp();
        var ticksPerSend = Stopwatch.Frequency / rate;
        long scheduled = 0;
        var next = 0;
        while (traffic.Sending && !cancellationToken.IsCancellationRequested)
        {
            var due = SendsDue(Stopwatch.GetTimestamp() - start, ticksPerSend);
            for (; scheduled < due; scheduled++)
            {
                order[next].Schedule(start + (long)(scheduled * ticksPerSend));
                next = next + 1 == order.Length ? 0 : next + 1;
            }

            Thread.Sleep(1);
        }
    }

    /// <summary>Waits until every send is answered and every acked message delivered, or the deadline passes.</summary>
    private Task<bool> DrainAsync(TimeSpan deadline, CancellationToken cancellationToken) => WaitUntilAsync(Settled, deadline, cancellationToken);

    /// <summary>No send of a session still up is unanswered, and every acked message has been delivered.</summary>
    private bool Settled() => _sessions.Where(s => !s.Dropped).Sum(s => s.InFlight) == 0 && CountLost(_sessions).Lost == 0;

    /// <summary>Polls <paramref name="condition"/> until it holds (true) or the deadline passes (false).</summary>
    private static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            if (condition())
            {
                return true;
            }

            if (Stopwatch.GetElapsedTime(started) >= deadline)
            {
                return false;
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    private void FillCounts(RunReport report)
    {
        report.Sent = _sessions.Sum(s => s.Sent);
        report.Acked = _sessions.Sum(s => s.Acked);
        report.SendErrors = _sessions.Sum(s => s.SendErrors);
        report.Delivered = _sessions.Sum(s => s.Delivered);
        report.Duplicates = _sessions.Sum(s => s.Duplicates);
        report.DeliveryAcksSent = _sessions.Sum(s => s.DeliveryAcksSent);
        report.BacklogDropped = _sessions.Sum(s => s.BacklogDropped);
        report.Dropped = _sessions.Count(s => s.Dropped);
        report.FirstDropCause = _sessions.FirstOrDefault(s => s.Dropped)?.DropCause;
        (report.Lost, report.UndeliveredToDroppedSessions) = CountLost(_sessions);
    }

    /// <summary>
    /// Per conversation and direction: messages the sender had acked minus distinct ones the receiver got. A lean
    /// session does not reconnect, so what a session the server dropped never got is counted apart
    /// (<c>undelivered to dropped sessions</c>): the SDK would have resynced it, which the churn scenario checks.
    /// </summary>
    internal static (long Lost, long ToDropped) CountLost(IReadOnlyList<WireSession> sessions)
    {
        long lost = 0, toDropped = 0;
        foreach (var session in sessions)
        {
            foreach (var ledger in session.Ledgers)
            {
                if (ledger.SendsAcked == 0)
                {
                    continue;
                }

                var receiver = ledger.PeerIndex >= 0 ? sessions[ledger.PeerIndex] : null;
                var received = receiver is not null && receiver.TryGetConversation(ledger.ConversationId, out var peer) ? peer.ReceivedFromPeer : 0;
                var missing = Math.Max(0, ledger.SendsAcked - received);
                if (receiver is { Dropped: true })
                {
                    toDropped += missing;
                }
                else
                {
                    lost += missing;
                }
            }
        }

        return (lost, toDropped);
    }
}

/// <summary>One second of a chat run: when, deliveries per second, and that second's latency.</summary>
internal sealed record LatencySample(double Seconds, double DeliveredPerSecond, LatencySummary Latency);
