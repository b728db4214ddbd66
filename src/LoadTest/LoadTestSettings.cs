using System.Net;

namespace ImOrleans.LoadTest;

/// <summary>Everything a scenario run is told on the command line (see Cli/ScenarioOptions for defaults and meaning).</summary>
internal sealed record LoadTestSettings
{
    public const string DevelopmentSigningKey = Client.DevTokens.DevelopmentSigningKey;

    /// <summary>The edges to open sessions on: session i goes to edge i mod count (--server, or what --navigation answered).</summary>
    public IReadOnlyList<IPEndPoint> Servers { get; init; } = [new(IPAddress.Loopback, 7100)];

    /// <summary>Navigation endpoints to ask for <see cref="Servers"/> before the run; empty = use --server as given.</summary>
    public IReadOnlyList<Uri> NavigationUrls { get; init; } = [];

    /// <summary>The edge of session <paramref name="index"/>: the edges in turn, as a load balancer would spread them.</summary>
    public IPEndPoint ServerFor(int index) => Servers[index % Servers.Count];

    public string SigningKey { get; init; } = DevelopmentSigningKey;

    public int Users { get; init; } = 1000;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Sessions opened per second; 0 opens them as fast as <see cref="ConnectConcurrency"/> allows.</summary>
    public double Ramp { get; init; }

    public int ConnectConcurrency { get; init; } = 200;

    /// <summary>Closed loop: sends each user keeps unanswered.</summary>
    public int Window { get; init; } = 4;

    /// <summary>Open loop: total sends per second; 0 means closed loop.</summary>
    public double Rate { get; init; }

    public int BodySize { get; init; } = 64;

    /// <summary>
    /// Least milliseconds between two delivery acks of a conversation; 0 = after every read, as the SDK acks 1:1
    /// conversations. The group command defaults to 1,000, as the SDK spaces a group's acks (GroupAckInterval).
    /// </summary>
    public int AckDelayMs { get; init; }

    /// <summary>Contacts per user; each send goes to one of them at random. 0 means any other user.</summary>
    public int Peers { get; init; } = 4;

    /// <summary>
    /// Chat: before the warm-up, send one message to each contact and wait until all are delivered, so the measured
    /// window sees established conversations rather than thousands created at once.
    /// </summary>
    public bool OpenConversations { get; init; } = true;

    /// <summary>Group: members of the group (the first <see cref="GroupOnline"/> of them are logged in).</summary>
    public int GroupMembers { get; init; } = 10_000;

    public int GroupOnline { get; init; } = 1_000;

    /// <summary>Group: online members that send (the rate is shared among them).</summary>
    public int GroupSenders { get; init; } = 10;

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Connect: sessions of other users logged in, held a moment and closed before the measured logins, so the RSS
    /// baseline and the login figures are those of a server that has served logins before (JIT, pools, the GC's
    /// allocation budget) rather than of a process just started. 0 = none.
    /// </summary>
    public int WarmupSessions { get; init; }

    /// <summary>How long to wait after the run for outstanding acks and deliveries before counting losses.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(15);

    public IReadOnlyList<IPAddress> SourceAddresses { get; init; } = [];

    public int? ServerPid { get; init; }

    public bool Json { get; init; }

    public string? PlotPath { get; init; }

    public string? Label { get; init; }

    /// <summary>Churn: fraction of the sessions whose link is cut again and again.</summary>
    public double ChurnFraction { get; init; } = 0.2;

    /// <summary>Churn: exchange one message per (user, contact) before the first cut, so no client first hears of a conversation in a resync.</summary>
    public bool ChurnPrime { get; init; } = true;

    /// <summary>Churn: pause between a session's resync and its next cut.</summary>
    public TimeSpan ChurnInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Prefix of every user id of the run, so runs (and parallel processes) never share users or conversations.</summary>
    public string RunId { get; init; } = Guid.NewGuid().ToString("N")[..6];

    public string UserId(int index) => $"lt{RunId}-{index}";

    /// <summary>Connect: the users of the warm-up sessions, apart from the measured ones.</summary>
    public LoadTestSettings WarmupUsers() => this with { RunId = RunId + "w", Users = WarmupSessions };
}
