using ImOrleans.LoadTest.Metrics;
using ImOrleans.LoadTest.Reports;

namespace ImOrleans.LoadTest.Churn;

/// <summary>Counting what the apps saw against what the server acked, and describing a loss when there is one.</summary>
internal sealed partial class ChurnScenario
{
    private long CountLost()
    {
        long lost = 0;
        foreach (var user in _users)
        {
            foreach (var (conversation, peer) in user.Conversations)
            {
                lost += Math.Max(0, user.AckedSendsIn(conversation) - _users[peer].ReceivedFromPeerIn(conversation));
            }
        }

        return lost;
    }

    /// <summary>Per conversation that lost something: what the receiver holds against what the server acked.</summary>
    private string DescribeLoss()
    {
        var notes = new List<string>();
        foreach (var user in _users)
        {
            foreach (var (conversation, peer) in user.Conversations)
            {
                var missing = user.AckedSendsIn(conversation) - _users[peer].ReceivedFromPeerIn(conversation);
                if (missing > 0)
                {
                    var receiver = _users[peer];
                    notes.Add($"{conversation}: {missing} from {user.UserId} missing at {receiver.UserId} " +
                        $"({(receiver.Cutter is null ? "steady" : "churning")}, {receiver.Client.State}); it holds up to seq {receiver.LastSeqIn(conversation)}, " +
                        $"acked up to {_maxAcked.GetValueOrDefault(conversation)}; last cut {receiver.LastCutAgo?.TotalMilliseconds:F0} ms before the report; " +
                        $"skips seen: {string.Join(", ", receiver.Skips)}");
                }
            }
        }

        return string.Join("; ", notes.Take(5));
    }

    private void FillCounts(RunReport report, int churning)
    {
        report.Sent = _users.Sum(u => Volatile.Read(ref u.Sent));
        report.Acked = _users.Sum(u => Volatile.Read(ref u.Acked));
        report.SendErrors = _users.Sum(u => Volatile.Read(ref u.SendErrors));
        report.Delivered = _users.Sum(u => Volatile.Read(ref u.Delivered));
        report.Duplicates = _users.Sum(u => Volatile.Read(ref u.Duplicates));
        report.Lost = CountLost();
        if (report.Lost > 0)
        {
            report.Notes = DescribeLoss();
        }
        report.DeliveredPerSecond = report.MeasuredSeconds > 0 ? Math.Round(report.Delivered.Value / report.MeasuredSeconds, 1) : null;
        report.Latency = LatencySummary.From(_latency.Total);
        report.ChurningSessions = churning;
        report.Cuts = Volatile.Read(ref _cuts);
        report.ResyncTimeouts = Volatile.Read(ref _resyncTimeouts);
        lock (_resyncs)
        {
            var reconnect = LatencySummary.From(_reconnects);
            var resync = LatencySummary.From(_resyncs);
            report.ReconnectP50Ms = reconnect.P50;
            report.ReconnectP99Ms = reconnect.P99;
            report.ResyncP50Ms = resync.P50;
            report.ResyncP99Ms = resync.P99;
            report.ResyncMaxMs = resync.Max;
        }
    }
}
