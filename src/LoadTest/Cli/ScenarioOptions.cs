using System.CommandLine;

namespace ImOrleans.LoadTest.Cli;

/// <summary>The options every scenario command takes; one instance per command.</summary>
internal sealed class ScenarioOptions
{
    private readonly LoadTestSettings _defaults;
    private readonly HashSet<Option> _added = [];

    public ScenarioOptions(LoadTestSettings defaults)
    {
        _defaults = defaults;
        Users = new("--users") { Description = "Synthetic users (one session each).", DefaultValueFactory = _ => defaults.Users };
        AckDelay = new("--ack-delay")
        {
            Description = "Least ms between two delivery acks of a conversation; 0 = after every read. Defaults as the SDK: 0 for 1:1, 1000 for the group command (ImClientOptions.GroupAckInterval).",
            DefaultValueFactory = _ => defaults.AckDelayMs,
        };
        Duration = new("--duration") { Description = "Seconds of the measured run (chat/churn) or of holding the sessions (connect).", DefaultValueFactory = _ => defaults.Duration.TotalSeconds };
    }

    public Option<string> Server { get; } = new("--server") { Description = "Edge address, host:port, or several comma-separated (sessions take them in turn); loopback only.", DefaultValueFactory = _ => "127.0.0.1:7100" };

    public Option<string?> Navigation { get; } = new("--navigation") { Description = "Navigation URL(s), comma-separated (e.g. http://127.0.0.1:7180/navigation): the edges it lists replace --server, sessions take them in turn." };

    public Option<string> Key { get; } = new("--key") { Description = "Signing key the server checks login tokens with (HS256).", DefaultValueFactory = _ => LoadTestSettings.DevelopmentSigningKey };

    public Option<int> Users { get; }

    public Option<double> Duration { get; }

    public Option<double> Ramp { get; } = new("--ramp") { Description = "Sessions opened per second; 0 = as fast as --connect-concurrency allows.", DefaultValueFactory = _ => 0 };

    public Option<int> ConnectConcurrency { get; } = new("--connect-concurrency") { Description = "Logins under way at once at most.", DefaultValueFactory = _ => 200 };

    public Option<int> Window { get; } = new("--window") { Description = "Closed loop: unanswered sends each user keeps in flight.", DefaultValueFactory = _ => 4 };

    public Option<double> Rate { get; } = new("--rate") { Description = "Open loop: sends per second in all (0 = closed loop).", DefaultValueFactory = _ => 0 };

    public Option<int> BodySize { get; } = new("--body-size") { Description = "Bytes of message content (at least 16: the send stamp).", DefaultValueFactory = _ => 64 };

    public Option<int> Members { get; } = new("--members") { Description = "Group: members of the group.", DefaultValueFactory = _ => 10_000 };

    public Option<int> Online { get; } = new("--online") { Description = "Group: members logged in (the first ones).", DefaultValueFactory = _ => 1_000 };

    public Option<int> Senders { get; } = new("--senders") { Description = "Group: online members that send, sharing --rate.", DefaultValueFactory = _ => 10 };

    public Option<int> AckDelay { get; }

    public Option<int> Peers { get; } = new("--peers") { Description = "Contacts per user that its sends go to, at random (0 = any user).", DefaultValueFactory = _ => 4 };

    public Option<bool> OpenConversations { get; } = new("--open-conversations") { Description = "Chat: before the warm-up, send one message to each contact and wait until all are delivered, so the measured window sees established conversations rather than thousands created at once (default true).", DefaultValueFactory = _ => true };

    public Option<double> Warmup { get; } = new("--warmup") { Description = "Seconds of traffic before measuring starts.", DefaultValueFactory = _ => 2 };

    public Option<int> WarmupSessions { get; } = new("--warmup-sessions")
    {
        Description = "Connect: sessions of other users logged in and closed before the measured logins, so the RSS baseline and login figures are a warm server's (0 = none; the cold baseline is reported too).",
        DefaultValueFactory = _ => 0,
    };

    public Option<double> Drain { get; } = new("--drain") { Description = "Seconds to wait after the run for outstanding acks and deliveries.", DefaultValueFactory = _ => 15 };

    public Option<string?> SourceAddresses { get; } = new("--source-addresses") { Description = "Comma-separated 127.0.0.x addresses to spread client sockets over." };

    public Option<int?> Pid { get; } = new("--pid") { Description = "Server process id: its CPU and RSS are read from /proc." };

    public Option<bool> Json { get; } = new("--json") { Description = "Print one JSON line with the results on stdout (human output goes to stderr)." };

    public Option<string?> Plot { get; } = new("--plot") { Description = "Write a PNG latency plot to this file." };

    public Option<double> ChurnFraction { get; } = new("--churn-fraction") { Description = "Churn: fraction of sessions whose link is cut repeatedly.", DefaultValueFactory = _ => 0.2 };

    public Option<double> ChurnInterval { get; } = new("--churn-interval") { Description = "Churn: seconds between a session's resync and its next cut.", DefaultValueFactory = _ => 2 };

    public Option<string?> RunId { get; } = new("--run-id") { Description = "Prefix of the run's user ids (default random); give each parallel process its own." };

    public Option<string?> Label { get; } = new("--label") { Description = "A name for the run, copied into the JSON line (scripts group runs by it)." };

    public void AddTo(Command command, bool chat, bool churn, bool group = false, bool connect = false)
    {
        if (connect)
        {
            Add(command, WarmupSessions);
        }

        if (group)
        {
            Add(command, Members);
            Add(command, Online);
            Add(command, Senders);
        }

        Add(command, Server);
        Add(command, Navigation);
        Add(command, Key);
        if (!group)
        {
            Add(command, Users);
        }

        Add(command, Duration);
        Add(command, Ramp);
        Add(command, ConnectConcurrency);
        Add(command, SourceAddresses);
        Add(command, Pid);
        Add(command, Json);
        Add(command, RunId);
        Add(command, Label);
        if (chat)
        {
            Add(command, Window);
            Add(command, Rate);
            Add(command, BodySize);
            Add(command, Peers);
            Add(command, AckDelay);
            Add(command, OpenConversations);
            Add(command, Warmup);
            Add(command, Drain);
            Add(command, Plot);
        }

        if (churn)
        {
            Add(command, ChurnFraction);
            Add(command, ChurnInterval);
        }
    }

    private void Add(Command command, Option option)
    {
        command.Options.Add(option);
        _added.Add(option);
    }

    /// <summary>The option's value, or <paramref name="fallback"/> when the command does not take it.</summary>
    private T Get<T>(ParseResult result, Option<T> option, T fallback) => _added.Contains(option) ? result.GetValue(option)! : fallback;

    public LoadTestSettings Bind(ParseResult result) => _defaults with
    {
        Servers = LoopbackGuard.ParseServers(result.GetValue(Server)!),
        NavigationUrls = LoopbackGuard.ParseNavigation(result.GetValue(Navigation)),
        SigningKey = result.GetValue(Key)!,
        Users = Positive(Get(result, Users, _defaults.Users), "--users"),
        Duration = Seconds(result.GetValue(Duration), "--duration"),
        Ramp = result.GetValue(Ramp),
        ConnectConcurrency = Positive(result.GetValue(ConnectConcurrency), "--connect-concurrency"),
        Window = Get(result, Window, _defaults.Window),
        Rate = Get(result, Rate, _defaults.Rate),
        BodySize = Get(result, BodySize, _defaults.BodySize),
        Peers = Get(result, Peers, _defaults.Peers),
        GroupMembers = Get(result, Members, _defaults.GroupMembers),
        GroupOnline = Get(result, Online, _defaults.GroupOnline),
        GroupSenders = Get(result, Senders, _defaults.GroupSenders),
        AckDelayMs = Math.Max(0, Get(result, AckDelay, _defaults.AckDelayMs)),
        OpenConversations = Get(result, OpenConversations, _defaults.OpenConversations),
        Warmup = TimeSpan.FromSeconds(Math.Max(0, Get(result, Warmup, _defaults.Warmup.TotalSeconds))),
        WarmupSessions = Math.Max(0, Get(result, WarmupSessions, _defaults.WarmupSessions)),
        Drain = TimeSpan.FromSeconds(Math.Max(0, Get(result, Drain, _defaults.Drain.TotalSeconds))),
        SourceAddresses = LoopbackGuard.ParseSources(result.GetValue(SourceAddresses)),
        ServerPid = result.GetValue(Pid),
        Json = result.GetValue(Json),
        PlotPath = Get(result, Plot, null),
        ChurnFraction = Math.Clamp(Get(result, ChurnFraction, _defaults.ChurnFraction), 0, 1),
        ChurnInterval = Seconds(Get(result, ChurnInterval, _defaults.ChurnInterval.TotalSeconds), "--churn-interval"),
        Label = result.GetValue(Label),
        RunId = result.GetValue(RunId) is { Length: > 0 } runId ? runId : _defaults.RunId,
    };

    private static int Positive(int value, string name) =>
        value > 0 ? value : throw new ArgumentException($"{name} must be positive.");

    private static TimeSpan Seconds(double value, string name) =>
        value is > 0 and <= 24 * 3600 ? TimeSpan.FromSeconds(value) : throw new ArgumentException($"{name} must be between 0 and 86400 seconds.");
}
