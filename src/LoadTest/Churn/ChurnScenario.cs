using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;
using ImOrleans.Client;
using ImOrleans.LoadTest.Metrics;
using ImOrleans.LoadTest.Reports;
using ImOrleans.LoadTest.Scenarios;
using ImOrleans.LoadTest.Wire;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.LoadTest.Churn;

/// <summary>
/// <c>churn</c>: users on the client SDK chat (open loop at --rate, or closed loop W per user) while a fraction of
/// them have their link reset again and again. Each cut is timed until the client is connected again
/// (reconnect) and until it holds every message acked in its conversations at the time of the cut (resync).
/// Lost = messages the server acked that the receiving app never saw after the drain; duplicates = messages the
/// app saw twice.
/// </summary>
internal sealed partial class ChurnScenario(LoadTestSettings settings) : IScenario
{
    private static readonly TimeSpan ResyncDeadline = TimeSpan.FromSeconds(30);
    private readonly LatencyRecorder _latency = new();
    private readonly ConcurrentDictionary<string, long> _maxAcked = new(StringComparer.Ordinal);
    private readonly LongHistogram _reconnects = new(600_000_000, 3);
    private readonly LongHistogram _resyncs = new(600_000_000, 3);
    private readonly ConcurrentDictionary<Task, byte> _pendingSends = new();
    private ChurnUser[] _users = [];
    private string _phase = "starting";
    private long _cuts;
    private long _resyncTimeouts;
    private volatile bool _sending;

    public LatencyRecorder Latency => _latency;

    public string Status() =>
        $"{_phase}: sent {_users.Sum(u => Volatile.Read(ref u.Sent)):N0}, acked {_users.Sum(u => Volatile.Read(ref u.Acked)):N0}, " +
        $"delivered {_users.Sum(u => Volatile.Read(ref u.Delivered)):N0}, cuts {Volatile.Read(ref _cuts):N0}, resync timeouts {Volatile.Read(ref _resyncTimeouts)}";

    public async Task<RunReport> RunAsync(CancellationToken cancellationToken)
    {
        var openLoop = settings.Rate > 0;
        var report = new RunReport
        {
            Scenario = "churn",
            RunId = settings.RunId,
            Users = settings.Users,
            Mode = (openLoop ? $"open loop {settings.Rate:N0}/s" : $"closed loop W={settings.Window}") + $", {settings.ChurnFraction:P0} churning",
            TargetRate = openLoop ? settings.Rate : null,
        };
        var churning = (int)Math.Ceiling(settings.Users * settings.ChurnFraction);
        _users = Enumerable.Range(0, settings.Users).Select(i => CreateUser(i, cutLink: i < churning)).ToArray();
        Contacts.Build(settings, settings.Users, (from, to, conversation) =>
        {
            if (!_users[from].SendTargets.Contains(conversation))
            {
                _users[from].SendTargets.Add(conversation);
            }

            AddConversation(_users[from], conversation, to);
            AddConversation(_users[to], conversation, from);
        });

        var sampler = new ProcessSampler(settings.ServerPid);
        try
        {
            _phase = "logging in";
            using (var gate = new SemaphoreSlim(Math.Max(1, settings.ConnectConcurrency)))
            {
                await Task.WhenAll(_users.Select(async user =>
                {
                    await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        await user.Client.ConnectAsync(cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        gate.Release();
                    }
                })).ConfigureAwait(false);
            }

            report.SessionsOnline = _users.Length;

            // Every client sees each of its conversations once before links are cut: a conversation a client first
            // hears of in the sync after a cut takes another path (see docs/benchmarks.md, "known loss").
            if (settings.ChurnPrime)
            {
                _phase = "priming conversations";
                await PrimeConversationsAsync(cancellationToken).ConfigureAwait(false);
            }

            _phase = "running";
            var begin = sampler.Mark();
            _sending = true;
            using var stopCuts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task[] senders = openLoop ? [PaceAsync(settings.Rate, cancellationToken)] : _users.Select(u => ClosedLoopAsync(u, cancellationToken)).ToArray();
            var cutters = _users.Where(u => u.Cutter is not null).Select(u => CutLoopAsync(u, stopCuts.Token)).ToArray();
            await Task.Delay(settings.Duration, cancellationToken).ConfigureAwait(false);
            var end = sampler.Mark();

            _sending = false;
            await Task.WhenAll(senders).ConfigureAwait(false);
            await stopCuts.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(cutters).ConfigureAwait(false);

            _phase = "draining";
            report.Drained = await DrainAsync(settings.Drain, cancellationToken).ConfigureAwait(false);
            _latency.TakeInterval(keep: true);

            var window = end.Since(begin);
            report.DurationSeconds = report.MeasuredSeconds = Math.Round(window.WallSeconds, 2);
            report.LoadTesterCores = Math.Round(window.OwnCores, 3);
            report.LoadTesterGcPausePercent = Math.Round(window.OwnGcPauseShare * 100, 2);
            report.ServerCores = window.ServerCores is { } cores ? Math.Round(cores, 3) : null;
            report.ServerRssMiB = sampler.ServerRssKiB() / 1024.0;
            FillCounts(report, churning);
        }
        finally
        {
            _phase = "closing";
            _sending = false;
            await Task.WhenAll(_users.Select(u => u.DisposeAsync().AsTask())).ConfigureAwait(false);
        }

        return report;
    }

    private async Task PrimeConversationsAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_users.SelectMany(user => user.SendTargets.Select(conversation =>
        {
            Interlocked.Increment(ref user.Sent);
            return TrackAsync(user, conversation, user.Client.SendAsync(conversation, MessageType.Text,
                MessageStamp.Format(Stopwatch.GetTimestamp(), settings.BodySize), cancellationToken: cancellationToken));
        }))).ConfigureAwait(false);

        var deadline = Stopwatch.GetTimestamp() + (long)(ResyncDeadline.TotalSeconds * Stopwatch.Frequency);
        while (CountLost() > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    private ChurnUser CreateUser(int index, bool cutLink)
    {
        var userId = settings.UserId(index);
        var server = settings.ServerFor(index);
        var cutter = cutLink ? new LinkCutter(server) : null;
        var options = new ImClientOptions
        {
            UserId = userId,
            DeviceId = "loadtest",
            Platform = "loadtest",
            Endpoints = [cutter?.Endpoint ?? server],
            TokenProvider = DevTokens.Provider(userId, settings.SigningKey),
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(100),
            ReconnectMaxDelay = TimeSpan.FromSeconds(1),
            // The run's conversations are new, so everything the server has is wanted (no "newest page only").
            InitialSyncLimit = 100_000,
            RaiseOwnSends = true,
        };
        return new ChurnUser(index, userId, options, cutter, _latency, c => _maxAcked.GetValueOrDefault(c));
    }

    private static void AddConversation(ChurnUser user, string conversation, int peer)
    {
        if (!user.Conversations.Exists(c => c.ConversationId == conversation))
        {
            user.Conversations.Add((conversation, peer));
        }
    }

    private void SendOne(ChurnUser user)
    {
        if (user.SendTargets.Count == 0)
        {
            return;
        }

        var conversation = user.SendTargets[Random.Shared.Next(user.SendTargets.Count)];
        Interlocked.Increment(ref user.Sent);
        var send = user.Client.SendAsync(conversation, MessageType.Text, MessageStamp.Format(Stopwatch.GetTimestamp(), settings.BodySize));
        var tracked = TrackAsync(user, conversation, send);
        _pendingSends.TryAdd(tracked, 0);
        _ = tracked.ContinueWith(t => _pendingSends.TryRemove(t, out _), TaskScheduler.Default);
    }

    private async Task TrackAsync(ChurnUser user, string conversation, Task<SendMessageResponse> send)
    {
        try
        {
            var ack = await send.ConfigureAwait(false);
            user.RecordAck(conversation);
            _maxAcked.AddOrUpdate(conversation, ack.Seq, (_, known) => Math.Max(known, ack.Seq));
        }
        catch (Exception ex) when (ex is ImServerException or ImConnectionException or OperationCanceledException)
        {
            Interlocked.Increment(ref user.SendErrors);
        }
    }

    private async Task PaceAsync(double rate, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        long scheduled = 0;
        var next = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        while (_sending && await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var due = (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * rate);
            for (; scheduled < due && _sending; scheduled++)
            {
                SendOne(_users[next]);
                next = (next + 1) % _users.Length;
            }
        }
    }

    private async Task ClosedLoopAsync(ChurnUser user, CancellationToken cancellationToken)
    {
        // The SDK sends FIFO, one at a time; W loops keep W sends queued in it.
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, settings.Window)).Select(async _ =>
        {
            while (_sending && !cancellationToken.IsCancellationRequested && user.SendTargets.Count > 0)
            {
                var conversation = user.SendTargets[Random.Shared.Next(user.SendTargets.Count)];
                Interlocked.Increment(ref user.Sent);
                await TrackAsync(user, conversation, user.Client.SendAsync(conversation, MessageType.Text,
                    MessageStamp.Format(Stopwatch.GetTimestamp(), settings.BodySize), cancellationToken: cancellationToken)).ConfigureAwait(false);
            }
        })).ConfigureAwait(false);
    }

    private async Task CutLoopAsync(ChurnUser user, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var pause = settings.ChurnInterval * (0.8 + 0.4 * Random.Shared.NextDouble());
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _cuts);
                var outcome = await user.CutAndAwaitResyncAsync(ResyncDeadline, CancellationToken.None).ConfigureAwait(false);
                if (outcome is not { } times)
                {
                    Interlocked.Increment(ref _resyncTimeouts);
                    continue;
                }

                lock (_resyncs)
                {
                    _reconnects.RecordValue(Math.Max(1, (long)(times.ReconnectMs * 1000)));
                    _resyncs.RecordValue(Math.Max(1, (long)(times.ResyncMs * 1000)));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    /// <summary>Waits for every send to be answered, then for every receiver to hold every acked message.</summary>
    private async Task<bool> DrainAsync(TimeSpan deadline, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < deadline)
        {
            if (_pendingSends.IsEmpty && CountLost() == 0)
            {
                return true;
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }
}
