using ImOrleans.LoadTest.Cli;
using ImOrleans.LoadTest.Reports;
using ImOrleans.LoadTest.Wire;

namespace ImOrleans.LoadTest.Tests;

public sealed class SupportTests
{
    [Fact]
    public async Task A_wake_signal_set_before_the_wait_completes_it_at_once_and_only_once()
    {
        var signal = new WakeSignal();
        signal.Set();
        signal.Set();

        await signal.WaitAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        var second = signal.WaitAsync().AsTask();
        Assert.False(second.IsCompleted);

        signal.Set();
        await second.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData(0, 1)]         // the first send is due at the start
    [InlineData(199, 1)]
    [InlineData(200, 2)]       // the second one interval later
    [InlineData(1_000, 6)]
    public void The_open_loop_pacer_sends_each_message_when_it_is_due_not_an_interval_later(long elapsedMs, long due) =>
        Assert.Equal(due, Scenarios.ChatScenario.SendsDue(elapsedMs * 10_000, ticksPerSend: 200 * 10_000));

    [Theory]
    [InlineData("10.0.0.1:7100")]
    [InlineData("192.168.1.5:7100")]
    [InlineData("8.8.8.8:53")]
    [InlineData("127.0.0.1")]
    public void Only_loopback_servers_are_accepted(string server) =>
        Assert.Throws<ArgumentException>(() => LoopbackGuard.ParseServer(server));

    [Fact]
    public void Loopback_servers_and_sources_are_accepted()
    {
        Assert.Equal(7100, LoopbackGuard.ParseServer("localhost:7100").Port);
        Assert.Equal(2, LoopbackGuard.ParseSources("127.0.0.2, 127.0.0.3").Count);
        Assert.Throws<ArgumentException>(() => LoopbackGuard.ParseSources("127.0.0.2,10.1.1.1"));
    }

    [Fact]
    public void Several_servers_are_taken_in_turn_by_the_sessions()
    {
        var settings = new LoadTestSettings { Servers = LoopbackGuard.ParseServers("127.0.0.1:7100, 127.0.0.1:7200") };

        Assert.Equal([7100, 7200, 7100, 7200], Enumerable.Range(0, 4).Select(i => settings.ServerFor(i).Port));
        Assert.Throws<ArgumentException>(() => LoopbackGuard.ParseServers("127.0.0.1:7100,10.0.0.1:7100"));
        Assert.Throws<ArgumentException>(() => LoopbackGuard.ParseServers(" , "));
    }

    [Theory]
    [InlineData("http://10.0.0.1:7180/navigation")]
    [InlineData("http://example.com/navigation")]
    [InlineData("ftp://127.0.0.1/navigation")]
    [InlineData("127.0.0.1:7180")]
    public void Only_loopback_navigation_urls_are_accepted(string url) =>
        Assert.Throws<ArgumentException>(() => LoopbackGuard.ParseNavigation(url));

    [Fact]
    public void Loopback_navigation_urls_are_accepted()
    {
        var urls = LoopbackGuard.ParseNavigation("http://127.0.0.1:7180/navigation,http://localhost:7181/navigation");

        Assert.Equal(["http://127.0.0.1:7180/navigation", "http://localhost:7181/navigation"], urls.Select(u => u.ToString()));
        Assert.Empty(LoopbackGuard.ParseNavigation(null));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("--open-conversations false", false)]
    [InlineData("--open-conversations true", true)]
    public void Chat_opens_conversations_unless_told_not_to(string arguments, bool expected)
    {
        var options = new ScenarioOptions(new LoadTestSettings());
        var command = new System.CommandLine.Command("chat");
        options.AddTo(command, chat: true, churn: false);

        var result = command.Parse(arguments);

        Assert.Empty(result.Errors);
        Assert.Equal(expected, options.Bind(result).OpenConversations);
    }

    [Fact]
    public void The_opening_phase_is_in_the_json_line()
    {
        var report = new RunReport { Scenario = "chat", RunId = "r", ConversationsOpened = 12, OpeningSeconds = 0.25, OpeningCompleted = false };

        var json = report.ToJson();

        Assert.Contains("\"conversationsOpened\":12", json);
        Assert.Contains("\"openingSeconds\":0.25", json);
        Assert.Contains("\"openingCompleted\":false", json);
        Assert.Equal(12, RunReport.FromJson(json)!.ConversationsOpened);
    }

    [Fact]
    public void The_benchmark_report_replaces_only_its_generated_block()
    {
        var document = $"# Benchmarks\nintro\n{BenchmarkMarkdown.BeginMarker}\nold\n{BenchmarkMarkdown.EndMarker}\nanalysis\n";

        var updated = BenchmarkMarkdown.Replace(document, "new\n");

        Assert.Contains("intro", updated);
        Assert.Contains("analysis", updated);
        Assert.Contains("new", updated);
        Assert.DoesNotContain("old", updated);
    }

    [Fact]
    public void A_named_report_block_is_replaced_apart_from_the_unnamed_one_and_added_when_missing()
    {
        var document = $"# Benchmarks\n{BenchmarkMarkdown.BeginMarker}\nsqlite\n{BenchmarkMarkdown.EndMarker}\n";

        var added = BenchmarkMarkdown.Replace(document, "postgres one\n", "postgres");
        var replaced = BenchmarkMarkdown.Replace(added, "postgres two\n", "postgres");

        Assert.Contains("sqlite", added);
        Assert.Contains("postgres one", added);
        Assert.Contains("sqlite", replaced);
        Assert.Contains("postgres two", replaced);
        Assert.DoesNotContain("postgres one", replaced);
        Assert.Equal(added.Length + 0, replaced.Length);
    }

    [Fact]
    public void The_benchmark_report_shows_medians_with_min_and_max()
    {
        var runs = new[] { 100.0, 300.0, 200.0 }.Select(rate => new RunReport
        {
            Scenario = "chat",
            RunId = "r",
            Label = "chat-closed",
            Mode = "closed loop W=4",
            Users = 10,
            DeliveredPerSecond = rate,
            Lost = 0,
        }).ToList();

        var markdown = BenchmarkMarkdown.Render(runs, "abc123");

        Assert.Contains("| delivered msgs/s | 200 | 100 - 300 | ≥ 25,000 |", markdown);
        Assert.Contains("| lost | 0 | 0 - 0 | 0 |", markdown);
    }
}
