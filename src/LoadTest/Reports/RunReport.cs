using System.Text.Json;
using System.Text.Json.Serialization;
using ImOrleans.LoadTest.Metrics;

namespace ImOrleans.LoadTest.Reports;

/// <summary>
/// The outcome of one run: what the final table shows and what <c>--json</c> prints as one line. Fields that do
/// not apply to a scenario stay null and are left out of the JSON.
/// </summary>
internal sealed class RunReport
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public required string Scenario { get; init; }

    public required string RunId { get; init; }

    public string Mode { get; set; } = "";

    /// <summary>Name given with --label (scripts group runs by it).</summary>
    public string? Label { get; set; }

    /// <summary>The command line of the run.</summary>
    public string? Arguments { get; set; }

    public int Users { get; set; }

    /// <summary>The edges the sessions were spread over in turn, when there were several or navigation named them.</summary>
    public IReadOnlyList<string>? Edges { get; set; }

    public double DurationSeconds { get; set; }

    /// <summary>Wall time of the measured window (after warm-up) the rates are computed over.</summary>
    public double MeasuredSeconds { get; set; }

    // Sessions
    public int? SessionsOnline { get; set; }

    public int? LoginFailures { get; set; }

    public string? FirstLoginError { get; set; }

    public double? LoginsPerSecond { get; set; }

    public double? LoginP50Ms { get; set; }

    public double? LoginP99Ms { get; set; }

    public double? TimeToAllOnlineSeconds { get; set; }

    public int? Dropped { get; set; }

    /// <summary>Why the first dropped session (by index) was dropped.</summary>
    public string? FirstDropCause { get; set; }

    // Messages
    public long? Sent { get; set; }

    public long? Acked { get; set; }

    public long? SendErrors { get; set; }

    public long? Delivered { get; set; }

    public double? DeliveredPerSecond { get; set; }

    public double? TargetRate { get; set; }

    public long? BacklogDropped { get; set; }

    public long? Lost { get; set; }

    public long? Duplicates { get; set; }

    /// <summary>Chat: acked messages whose receiver's session the server dropped (lean sessions do not resync).</summary>
    public long? UndeliveredToDroppedSessions { get; set; }

    public long? DeliveryAcksSent { get; set; }

    public bool? Drained { get; set; }

    /// <summary>Chat: opening sends (one per user and contact, before the warm-up) the server acked by the end of that phase.</summary>
    public long? ConversationsOpened { get; set; }

    /// <summary>Chat: wall time of the opening phase.</summary>
    public double? OpeningSeconds { get; set; }

    /// <summary>Chat: every opening send was answered and delivered before the deadline (the drain's).</summary>
    public bool? OpeningCompleted { get; set; }

    public LatencySummary? Latency { get; set; }

    /// <summary>
    /// Open-loop chat and group: from the time each send was due to when the load tester wrote it, in ms. Every latency above
    /// includes it; it is the load tester's own share of the latency.
    /// </summary>
    public LatencySummary? SendLag { get; set; }

    // Group
    public int? GroupMembers { get; set; }

    public int? GroupOnline { get; set; }

    public int? GroupSenders { get; set; }

    public double? GroupSetupSeconds { get; set; }

    /// <summary>Send to the last online receiver, per message, in ms.</summary>
    public LatencySummary? TimeToLastDelivery { get; set; }

    /// <summary>Acked group messages that some online receiver still lacked after the drain.</summary>
    public long? IncompleteMessages { get; set; }

    // Churn
    public int? ChurningSessions { get; set; }

    public long? Cuts { get; set; }

    public double? ReconnectP50Ms { get; set; }

    public double? ReconnectP99Ms { get; set; }

    public double? ResyncP50Ms { get; set; }

    public double? ResyncP99Ms { get; set; }

    public double? ResyncMaxMs { get; set; }

    public long? ResyncTimeouts { get; set; }

    /// <summary>What went wrong, when something did (for example which receiver lacks which messages).</summary>
    public string? Notes { get; set; }

    // Processes
    public double LoadTesterCores { get; set; }

    /// <summary>
    /// Percent of the measured time the load tester's own garbage collector paused it: its latency figures include those
    /// pauses (a push that arrives during one is timed when the pause ends).
    /// </summary>
    public double LoadTesterGcPausePercent { get; set; }

    public double? ServerCores { get; set; }

    /// <summary>Server CPU time per delivered message (or per login for connect), in microseconds.</summary>
    public double? ServerCpuMicrosPerUnit { get; set; }

    public double? ServerRssMiB { get; set; }

    public double? ServerRssBaselineMiB { get; set; }

    /// <summary>Connect with --warmup-sessions: sessions logged in and closed before the baseline.</summary>
    public int? WarmupSessions { get; set; }

    /// <summary>Connect with --warmup-sessions: the server's RSS before the warm-up (the process as started).</summary>
    public double? ServerRssColdBaselineMiB { get; set; }

    /// <summary>Connect with --warmup-sessions: RSS growth from the cold baseline per measured session (warm-up included).</summary>
    public double? RssPerSessionColdKiB { get; set; }

    public double? RssPerSessionKiB { get; set; }

    /// <summary>The machine's 1-minute load average when the run ended: above ~2 on this 2-core machine, other work competed with the run.</summary>
    public double? LoadAverage { get; set; }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static RunReport? FromJson(string line) => JsonSerializer.Deserialize<RunReport>(line, JsonOptions);
}
