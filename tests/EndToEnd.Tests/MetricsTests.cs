using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace ImOrleans.EndToEnd.Tests;

/// <summary>Operators scrape the silo's metrics (Prometheus text at GET /metrics on the HTTP port).</summary>
[Collection(SharedServerCollection.Name)]
public sealed partial class MetricsTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task The_silo_serves_the_message_store_metrics_and_a_send_shows_in_them()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{Server.Http}"), Timeout = TimeSpan.FromSeconds(15) };
        var before = await StoreWritesAsync(http);
        await using var alice = await ChatUser.ConnectAsync(Server, "mt-alice");
        await using var bob = await ChatUser.ConnectAsync(Server, "mt-bob");

        await alice.SendAsync("mt-bob", "counted");

        // The exporter may answer a scrape from its short cache: ask until the write shows, within a deadline.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (await StoreWritesAsync(http) <= before)
        {
            await Task.Delay(100, deadline.Token);
        }

        var text = await http.GetStringAsync("/metrics");
        Assert.Matches(StoreMetric("commit_duration"), text);

        // The embedded default's SQLite store keeps its newest messages in its tail, the send's among them.
        Assert.Matches(@"(?m)^imorleans_store_tail_messages(\{[^}]*\})? [1-9]", text);
    }

    [Fact]
    public async Task The_silo_serves_its_edge_metrics_and_logins_and_sends_show_in_them()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{Server.Http}"), Timeout = TimeSpan.FromSeconds(15) };
        var text = await http.GetStringAsync("/metrics");
        var (logins, sends) = (Sample(text, LoginsOk()), Sample(text, SendRequests()));

        await using var alice = await ChatUser.ConnectAsync(Server, "mt-edge-alice");
        await using var bob = await ChatUser.ConnectAsync(Server, "mt-edge-bob");
        await alice.SendAsync("mt-edge-bob", "counted at the edge");

        // Counters are per process (other tests' servers add to them too), so the test looks for growth, not values.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (Sample(text, LoginsOk()) < logins + 2 || Sample(text, SendRequests()) < sends + 1)
        {
            await Task.Delay(100, deadline.Token);
            text = await http.GetStringAsync("/metrics");
        }

        Assert.Matches(@"(?m)^imorleans_edge_sessions(\{[^}]*\})? [0-9]", text);
        Assert.Matches(@"(?m)^imorleans_edge_pushes_total(\{[^}]*\})? [1-9]", text);

        // The runtime's meter rides along: how long the collector paused the process, which is the latency tail.
        Assert.Matches(@"(?m)^dotnet_gc_pause_time\w*(\{[^}]*\})? [0-9]", text);
    }

    [Fact]
    public async Task The_sessions_and_connections_gauges_count_what_is_open_now_whenever_the_listener_started()
    {
        await using var alice = await ChatUser.ConnectAsync(Server, "mt-gauge-alice");

        // A listener that starts after the login (as an exporter of another host in this process does) still sees
        // the session: the gauges read the edges' registries, they do not add up what they were told since.
        var (sessions, connections) = (ReadGauge("imorleans.edge.sessions"), ReadGauge("imorleans.edge.connections"));

        Assert.True(sessions >= 1, $"sessions {sessions}");
        Assert.True(connections >= sessions, $"connections {connections}, sessions {sessions}");
    }

    private static long ReadGauge(string name)
    {
        long sum = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "ImOrleans.Edge" && instrument.Name == name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => sum += value);
        listener.Start();
        listener.RecordObservableInstruments();
        return sum;
    }

    private static double Sample(string text, Regex sample) =>
        sample.Match(text) is { Success: true } match ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;

    [GeneratedRegex(@"(?m)^imorleans_edge_logins_total\{[^}]*result=""ok""[^}]*\} (\d+(?:\.\d+)?)")]
    private static partial Regex LoginsOk();

    [GeneratedRegex(@"(?m)^imorleans_edge_request_duration\w*_count\{[^}]*command=""SendMessage""[^}]*\} (\d+(?:\.\d+)?)")]
    private static partial Regex SendRequests();

    /// <summary>Writes the store has answered, summed over the histogram's series (0 before the first).</summary>
    private static async Task<double> StoreWritesAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        return WriteDurationCount().Matches(text).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    private static Regex StoreMetric(string name) => new($"(?m)^imorleans_store_{name}\\w*_count(\\{{[^}}]*\\}})? [1-9]");

    [GeneratedRegex(@"(?m)^imorleans_store_write_duration\w*_count(?:\{[^}]*\})? (\d+(?:\.\d+)?)")]
    private static partial Regex WriteDurationCount();
}
