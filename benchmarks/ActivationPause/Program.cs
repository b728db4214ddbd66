using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ImOrleans.ActivationPause;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// What a gen0 collection costs per grain activation that took a call since the last one, with none of ImOrleans'
// code in the process: a bare Orleans silo, one trivial grain type, and calls from the silo's own grain factory (the
// path the co-hosted edge uses) at a fixed rate, spread at random over --grains activations. Each "message" is one
// request-response call and --one-way one-way calls to the same grain, as a 1:1 message is a send and a delivery ack
// to its conversation grain. Prints the collector's pauses and the calls' latency over the measured window.
// docs/benchmarks.md (session 21) compares the figures for several --grains at the same rate.
//
//   DOTNET_GCgen0size=0x4000000 dotnet benchmarks/ActivationPause/bin/Release/net10.0/ImOrleans.ActivationPause.dll \
//       [--grains 4000] [--rate 8000] [--one-way 1] [--warmup 5] [--seconds 20] [--burst 0]
var options = PauseOptions.Parse(args);
var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.UseOrleans(silo => silo.UseLocalhostClustering(FreePort(), FreePort()));
using var host = builder.Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IGrainFactory>();
var targets = Enumerable.Range(0, options.Grains).Select(i => grains.GetGrain<IPingGrain>(i)).ToArray();
Console.WriteLine($"ActivationPause: {options.Grains} grains, {options.Rate} messages/s (1 call + {options.OneWay} one-way each), burst {options.Burst}, " +
    $"{options.Warmup} s warm-up, {options.Seconds} s measured; {Environment.ProcessorCount} cores, gen0 budget {Environment.GetEnvironmentVariable("DOTNET_GCgen0size") ?? "default"}");

// Every grain active before the clock starts, so that activations are not what is measured.
foreach (var chunk in targets.Chunk(500))
{
    await Task.WhenAll(chunk.Select(g => g.Ping(0)));
}

// --burst: that many calls at once from pool threads, as a chat's opening creates its conversations. Each takes a new
// answer object from its thread's empty pool and returns it to the pool of the thread that completes it, so the
// pools end up holding about that many old objects, which the steady calls then reuse (docs/benchmarks.md, session 21).
if (options.Burst > 0)
{
    await Task.WhenAll(Enumerable.Range(0, options.Burst).Select(i => Task.Run(() => targets[i % targets.Length].Ping(0))));
}

using var pauses = new PauseListener();
var latency = new LatencySamples(options.Rate * options.Seconds + options.Rate);
var pacer = new Pacer(targets, options, latency);
var run = pacer.RunAsync();
await Task.Delay(TimeSpan.FromSeconds(options.Warmup));

var gen0Before = GC.CollectionCount(0);
var gen1Before = GC.CollectionCount(1);
var allocatedBefore = GC.GetTotalAllocatedBytes();
var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
pauses.Start();
latency.Start();
var measured = Stopwatch.StartNew();
await Task.Delay(TimeSpan.FromSeconds(options.Seconds));
latency.Stop();
var window = pauses.Stop();
var elapsed = measured.Elapsed.TotalSeconds;
var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
var gen0 = GC.CollectionCount(0) - gen0Before;
var gen1 = GC.CollectionCount(1) - gen1Before;
await pacer.StopAsync(run);

var messages = latency.Count;
Console.WriteLine($"messages: {messages:N0} in {elapsed:F1} s ({messages / elapsed:N0}/s), {pacer.Failures} failed calls");
Console.WriteLine($"process CPU: {cpu / elapsed:F2} cores, {cpu * 1e6 / Math.Max(1, messages):F1} µs per message; allocated {allocated / (double)Math.Max(1, messages):N0} B per message");
Console.WriteLine($"collections: {gen0} (gen1 or higher: {gen1}); pauses {window.Describe()}");
Console.WriteLine($"paused {window.Total.TotalMilliseconds:F0} ms of {elapsed * 1000:F0} ({window.Total.TotalSeconds * 100 / elapsed:F2} %)");
Console.WriteLine($"call latency (ms): {latency.Describe()}");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"RESULT grains={options.Grains} rate={options.Rate} oneway={options.OneWay} burst={options.Burst} pauses={window.Count} pause_mean_ms={window.MeanMs:F2} pause_max_ms={window.MaxMs:F2} paused_pct={window.Total.TotalSeconds * 100 / elapsed:F2} p50_ms={latency.Percentile(50):F2} p99_ms={latency.Percentile(99):F2} us_per_msg={cpu * 1e6 / Math.Max(1, messages):F1}"));
await host.StopAsync();

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}
