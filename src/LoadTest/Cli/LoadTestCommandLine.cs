using System.CommandLine;
using ImOrleans.LoadTest.Reports;
using ImOrleans.LoadTest.Churn;
using ImOrleans.LoadTest.Scenarios;
using Spectre.Console;

namespace ImOrleans.LoadTest.Cli;

/// <summary>The commands: one per scenario, plus <c>report</c> that turns JSON lines into docs/benchmarks.md tables.</summary>
internal static class LoadTestCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("ImOrleans load tester: synthetic clients against an edge on this machine (loopback only).");
        root.Subcommands.Add(ScenarioCommand("connect", "Open N sessions at a ramp rate and hold them with heartbeats; logins/s, login latency, server RSS per session.",
            chat: false, churn: false, settings => new ConnectScenario(settings), connect: true));
        root.Subcommands.Add(ScenarioCommand("chat", "1:1 messages between N users, closed loop (--window) or open loop (--rate); throughput, latency, lost, duplicates.",
            chat: true, churn: false, settings => new ChatScenario(settings)));
        root.Subcommands.Add(ScenarioCommand("churn", "Chat over the client SDK while a fraction of sessions lose their link again and again; reconnect and resync times, lost.",
            chat: true, churn: true, settings => new ChurnScenario(settings),
            new LoadTestSettings { Users = 40, Duration = TimeSpan.FromSeconds(20), Rate = 200, Peers = 3 }));
        root.Subcommands.Add(ScenarioCommand("group", "One group of --members, --online of them logged in, --senders sending at --rate; deliveries/s and time to the last online receiver.",
            chat: true, churn: false, settings => new GroupScenario(settings),
            new LoadTestSettings { Rate = 100, Duration = TimeSpan.FromSeconds(30), AckDelayMs = 1000 }, group: true));
        root.Subcommands.Add(BenchmarkMarkdown.Command());
        return root;
    }

    private static Command ScenarioCommand(string name, string description, bool chat, bool churn, Func<LoadTestSettings, IScenario> create, LoadTestSettings? defaults = null, bool group = false, bool connect = false)
    {
        var options = new ScenarioOptions(defaults ?? new LoadTestSettings());
        var command = new Command(name, description);
        options.AddTo(command, chat, churn, group, connect);
        command.SetAction(async (result, cancellationToken) =>
        {
            LoadTestSettings settings;
            try
            {
                settings = options.Bind(result);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException)
            {
                Console.Error.WriteLine(ex.Message);
                return 2;
            }

            try
            {
                settings = await EdgeNavigation.ResolveAsync(settings, EdgeNavigation.DefaultDeadline, cancellationToken);
            }
            catch (Exception ex) when (ex is Client.ImConnectionException or ArgumentException or FormatException)
            {
                Console.Error.WriteLine($"--navigation: {ex.Message}");
                return 2;
            }

            var console = settings.Json
                ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) })
                : AnsiConsole.Console;
            var scenario = create(settings);
            var report = await ProgressView.RunAsync(console, scenario, cancellationToken);
            report.Label = settings.Label;
            report.LoadAverage = Metrics.ProcessSampler.LoadAverage();
            report.Arguments = string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            report.Edges = settings.Servers.Count > 1 || settings.NavigationUrls.Count > 0 ? [.. settings.Servers.Select(s => s.ToString())] : null;
            ReportTable.Write(console, report);
            if (settings.PlotPath is { } plot && scenario is ChatScenario chatRun)
            {
                LatencyPlot.Save(plot, $"chat {report.Mode}, {report.Users} users", chatRun.Latency.Total, chatRun.Timeline);
                console.MarkupLine($"plot: [link]{Markup.Escape(plot)}[/]");
            }

            if (settings.Json)
            {
                Console.Out.WriteLine(report.ToJson());
            }

            var clean = report.Lost is null or 0 && report.LoginFailures is null or 0 && report.Duplicates is null or 0 && report.Drained != false && report.Dropped is null or 0;
            return clean ? 0 : 1;
        });
        return command;
    }
}
