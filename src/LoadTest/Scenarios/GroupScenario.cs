using System.Diagnostics;
using ImOrleans.LoadTest.Metrics;
using ImOrleans.LoadTest.Reports;
using ImOrleans.LoadTest.Wire;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;

namespace ImOrleans.LoadTest.Scenarios;

/// <summary>
/// <c>group</c>: one group of G members, the first O of them online on lean wire sessions, S of those sending at R
/// msgs/s in all (open loop). Every message should reach the O - 1 online members other than its sender; the run
/// reports deliveries/s, send-to-deliver latency per delivery, and per message the time until its last online
/// receiver had it. Lost = deliveries missing from acked messages after the drain.
/// </summary>
internal sealed class GroupScenario(LoadTestSettings settings) : IScenario
{
    private const int MembersPerRequest = 100;
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromMinutes(2);
    private readonly LatencyRecorder _latency = new();
    private WireSession[] _sessions = [];
    private SessionLauncher? _launcher;
    private GroupDeliveryTracker? _tracker;
    private string _phase = "minting tokens";
    private int _membersAdded;
    private long _lastDelivered;
    private double _lastRate;

    public LatencyRecorder Latency => _latency;

    public string Status()
    {
        if (_phase.StartsWith("creating", StringComparison.Ordinal))
        {
            return $"{_phase}: {_membersAdded:N0}/{settings.GroupMembers:N0} members";
        }

        if (_launcher is null || _phase == "logging in")
        {
            return $"{_phase}: online {_launcher?.Online ?? 0}/{settings.GroupOnline}";
        }

        return $"{_phase}: sent {_sessions.Sum(s => s.Sent):N0}, acked {_sessions.Sum(s => s.Acked):N0}, deliveries {_lastDelivered:N0} ({_lastRate:N0}/s), " +
            $"complete {_tracker?.LastDelivery.TotalCount ?? 0:N0}";
    }

    public async Task<RunReport> RunAsync(CancellationToken cancellationToken)
    {
        var members = Math.Max(2, settings.GroupMembers);
        var online = Math.Clamp(settings.GroupOnline, 2, members);
        var senders = Math.Clamp(settings.GroupSenders, 1, online);
        var rate = settings.Rate > 0 ? settings.Rate : 100;
        var report = new RunReport
        {
            Scenario = "group",
            RunId = settings.RunId,
            Users = online,
            Mode = $"{members:N0} members, {online:N0} online, {senders} senders, {rate:N0} msgs/s",
            GroupMembers = members,
            GroupOnline = online,
            GroupSenders = senders,
            TargetRate = rate,
        };
        var groupId = $"lt{settings.RunId}";
        var conversationId = "g:" + groupId;
        var tokens = TokenMint.MintAll(settings, online);
        var sampler = new ProcessSampler(settings.ServerPid);

        _phase = "creating the group";
        var setupStarted = Stopwatch.GetTimestamp();
        var lastEvent = await CreateGroupAsync(groupId, members, tokens[0], cancellationToken).ConfigureAwait(false);
        report.GroupSetupSeconds = Math.Round(Stopwatch.GetElapsedTime(setupStarted).TotalSeconds, 1);

        var capacity = (int)Math.Min(int.MaxValue / 2, rate * (settings.Warmup + settings.Duration + settings.Drain).TotalSeconds * 1.5 + 10_000);
        _tracker = new GroupDeliveryTracker(lastEvent + 1, capacity, online - 1);
        var traffic = new ChatTraffic(0, settings.BodySize, _latency, settings.AckDelayMs) { Group = _tracker };
        var options = new WireSessionOptions { Server = settings.ServerFor(0) };
        _sessions = Enumerable.Range(0, online).Select(i => new WireSession(i, settings.UserId(i), options.For(settings, i), traffic)).ToArray();
        foreach (var session in _sessions)
        {
            session.SetMessageIdPrefix($"{settings.RunId}-{session.Index}-");
            // Members see the group from their join event on; everything up to the last setup event is history.
            session.AddConversation(conversationId, -1, sendsHere: session.Index < senders).SetBaseline(lastEvent);
        }

        _launcher = new SessionLauncher(settings, tokens);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tick = settings.AckDelayMs > 0 ? TimeSpan.FromMilliseconds(Math.Clamp(settings.AckDelayMs / 2, 5, 1000)) : (TimeSpan?)null;
        var heartbeats = HeartbeatTicker.RunAsync(_sessions, stop.Token, tick);
        try
        {
            _phase = "logging in";
            await _launcher.OpenAllAsync(_sessions, cancellationToken).ConfigureAwait(false);
            _launcher.Report(report);

            _phase = "warming up";
            traffic.Sending = true;
            var pacer = ChatScenario.PaceAsync(traffic, _sessions.Take(senders).Where(s => s.IsLoggedIn).ToArray(), rate, stop.Token);
            await Task.Delay(settings.Warmup, cancellationToken).ConfigureAwait(false);
            _latency.TakeInterval(keep: false);
            traffic.SendLag.TakeInterval(keep: false);
            _tracker.Recording = true;
            var measureStart = sampler.Mark();
            var deliveredAtStart = _sessions.Sum(s => s.Delivered);

            _phase = "running";
            await SampleAsync(settings.Duration, cancellationToken).ConfigureAwait(false);
            var measureEnd = sampler.Mark();
            var deliveredAtEnd = _sessions.Sum(s => s.Delivered);
            traffic.Sending = false;
            traffic.SendLag.TakeInterval(keep: true);
            await pacer.ConfigureAwait(false);

            _phase = "draining";
            report.Drained = await DrainAsync(settings.Drain, cancellationToken).ConfigureAwait(false);
            _latency.TakeInterval(keep: true);

            var window = measureEnd.Since(measureStart);
            report.DurationSeconds = report.MeasuredSeconds = Math.Round(window.WallSeconds, 2);
            report.DeliveredPerSecond = Math.Round((deliveredAtEnd - deliveredAtStart) / window.WallSeconds, 1);
            report.LoadTesterCores = Math.Round(window.OwnCores, 3);
            report.LoadTesterGcPausePercent = Math.Round(window.OwnGcPauseShare * 100, 2);
            report.ServerCores = window.ServerCores is { } cores ? Math.Round(cores, 3) : null;
            if (window.ServerCores is { } serverCores && deliveredAtEnd > deliveredAtStart)
            {
                report.ServerCpuMicrosPerUnit = Math.Round(serverCores * window.WallSeconds * 1e6 / (deliveredAtEnd - deliveredAtStart), 1);
            }

            report.ServerRssMiB = sampler.ServerRssKiB() / 1024.0;
            report.Sent = _sessions.Sum(s => s.Sent);
            report.Acked = _sessions.Sum(s => s.Acked);
            report.SendErrors = _sessions.Sum(s => s.SendErrors);
            report.Delivered = _sessions.Sum(s => s.Delivered);
            report.Duplicates = _sessions.Sum(s => s.Duplicates);
            report.BacklogDropped = _sessions.Sum(s => s.BacklogDropped);
            report.DeliveryAcksSent = _sessions.Sum(s => s.DeliveryAcksSent);
            report.Dropped = _sessions.Count(s => s.Dropped);
            report.FirstDropCause = _sessions.FirstOrDefault(s => s.Dropped)?.DropCause;
            report.IncompleteMessages = _tracker.Incomplete().Messages;
            (report.Lost, report.UndeliveredToDroppedSessions) = CountLost();
            report.Latency = LatencySummary.From(_latency.Total);
            report.SendLag = LatencySummary.From(traffic.SendLag.Total);
            lock (_tracker.LastDelivery)
            {
                report.TimeToLastDelivery = LatencySummary.From(_tracker.LastDelivery);
            }
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

    /// <summary>Logs the owner (member 0) in on a session of its own, creates the group and adds every member; returns the last event's seq.</summary>
    private async Task<long> CreateGroupAsync(string groupId, int members, string ownerToken, CancellationToken cancellationToken)
    {
        await using var owner = new WireSession(0, settings.UserId(0), new WireSessionOptions { Server = settings.ServerFor(0), LoginTimeout = SetupTimeout });
        await owner.ConnectAndLoginAsync(ownerToken, null, cancellationToken).ConfigureAwait(false);
        var create = new CreateGroupRequest { GroupId = groupId, Name = $"load test {settings.RunId}" };
        create.MemberIds.AddRange(Enumerable.Range(1, Math.Min(MembersPerRequest, members - 1)).Select(settings.UserId));
        var lastEvent = EventSeq(await owner.RequestAsync(CommandCode.CreateGroup, create, SetupTimeout, cancellationToken).ConfigureAwait(false), "CreateGroup");
        _membersAdded = create.MemberIds.Count + 1;
        while (_membersAdded < members)
        {
            var add = new AddGroupMembersRequest { GroupId = groupId };
            add.UserIds.AddRange(Enumerable.Range(_membersAdded, Math.Min(MembersPerRequest, members - _membersAdded)).Select(settings.UserId));
            lastEvent = Math.Max(lastEvent, EventSeq(await owner.RequestAsync(CommandCode.AddGroupMembers, add, SetupTimeout, cancellationToken).ConfigureAwait(false), "AddGroupMembers"));
            _membersAdded += add.UserIds.Count;
        }

        return lastEvent;
    }

    private static long EventSeq(ControlAnswer answer, string request) =>
        answer.IsError
            ? throw new InvalidOperationException($"{request} was refused: {answer.Error}.")
            : GroupChangeResponse.Parser.ParseFrom(answer.Body).EventSeq;

    private async Task SampleAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var previous = _sessions.Sum(s => s.Delivered);
        var previousAt = started;
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            var left = duration - Stopwatch.GetElapsedTime(started);
            await Task.Delay(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            var now = Stopwatch.GetTimestamp();
            var delivered = _sessions.Sum(s => s.Delivered);
            _lastRate = (delivered - previous) / Math.Max(1e-3, Stopwatch.GetElapsedTime(previousAt, now).TotalSeconds);
            _lastDelivered = delivered;
            previous = delivered;
            previousAt = now;
        }
    }

    /// <summary>
    /// Every session should hold every acked message but its own. What a session the server dropped lacks is counted
    /// apart: a lean session does not reconnect and resync (the SDK would).
    /// </summary>
    private (long Lost, long ToDropped) CountLost()
    {
        var acked = _sessions.Sum(s => s.Acked);
        long lost = 0, toDropped = 0;
        foreach (var session in _sessions.Where(s => s.IsLoggedIn || s.Dropped))
        {
            var missing = Math.Max(0, acked - session.Acked - session.Delivered);
            if (session.Dropped)
            {
                toDropped += missing;
            }
            else
            {
                lost += missing;
            }
        }

        return (lost, toDropped);
    }

    private async Task<bool> DrainAsync(TimeSpan deadline, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            if (_sessions.Where(s => !s.Dropped).Sum(s => s.InFlight) == 0 && CountLost().Lost == 0)
            {
                return true;
            }

            if (Stopwatch.GetElapsedTime(started) >= deadline)
            {
                return false;
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }
}
