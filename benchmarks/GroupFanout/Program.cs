using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ImOrleans.Client;
using ImOrleans.Grains;
using ImOrleans.GroupFanout;
using ImOrleans.Protocol;
using ImOrleans.Protocol.Messages;
using ImOrleans.Silo;
using Microsoft.Extensions.DependencyInjection;

// Group fan-out (issue 3, R13): one message to a group of --members members of whom --online have a live session.
// The whole system runs in this process (silo + co-hosted edge, SQLite store, real sockets on loopback); the
// online members are bare protocol clients. Measures, per message, the time from writing the send to the moment
// the last online member's socket has it (time-to-last-delivery), then a pipelined burst for deliveries/s, and
// checks that offline members' user grains are never activated by a message and that nobody gets one twice.
//
//   dotnet run -c Release --project benchmarks/GroupFanout -- [--members 10000] [--online 1000] [--messages 100] [--burst 200]
var options = Options.Parse(args);
var dataDirectory = Directory.CreateTempSubdirectory("imorleans-fanout-").FullName;
const string signingKey = "group-fanout-benchmark-signing-key-0123456789";
var server = ImOrleansServer.Create([], new Dictionary<string, string?>
{
    ["Cluster:ClusterId"] = "fanout",
    ["Cluster:SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
    ["Cluster:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
    ["Storage:DataDirectory"] = dataDirectory,
    ["Edge:Port"] = "0",
    ["Edge:IdleTimeout"] = "00:10:00",
    ["Edge:HeartbeatInterval"] = "00:01:00",
    ["Http:Port"] = "0",
    ["Auth:SigningKey"] = signingKey,
    ["Navigation:Enabled"] = "false",
    ["Logging:LogLevel:Default"] = "Warning",
    ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
    ["Logging:LogLevel:Orleans"] = "Error",
});
await server.StartAsync();
var grains = server.Services.GetRequiredService<IGrainFactory>();
var management = grains.GetGrain<IManagementGrain>(0);
Console.WriteLine($"GroupFanout: {options.Members} members, {options.Online} online, {options.Messages} timed messages, burst {options.Burst}; {Environment.ProcessorCount} cores; data in {dataDirectory}");

try
{
    // 1. The group: the owner (the sender) plus members added 100 at a time, as clients would.
    var owner = "fan-owner";
    var members = Enumerable.Range(0, options.Members - 1).Select(i => $"fan-{i:D5}").ToList();
    var conversationId = Identifiers.GroupConversation("fanout-" + Guid.NewGuid().ToString("N")[..8]);
    var group = grains.GetGrain<IGroupGrain>(conversationId);
    var setup = Stopwatch.StartNew();
    await group.Create(owner, new GroupCreation { Name = "fan-out", MemberIds = members.Take(99).ToList() });
    foreach (var batch in members.Skip(99).Chunk(100))
    {
        await group.AddMembers(owner, batch);
    }

    Console.WriteLine($"setup: {(await group.GetInfo(owner)).MemberCount} members in {setup.Elapsed.TotalSeconds:F1} s");

    // Forget every idle activation, as a silo does with members who have not been around for a while.
    await management.ForceActivationCollection(TimeSpan.Zero);
    Console.WriteLine($"user grains active after collection: {await ActiveUsersAsync()}");

    // 2. The online members' sessions, and the sender's.
    var online = members.Take(options.Online).ToList();
    var baseSeq = (await group.Pull(owner, 0, 0, 1)).MaxSeq + 1;
    var tracker = new DeliveryTracker(conversationId, baseSeq, options.Messages + options.Burst, online.Count);
    var connect = Stopwatch.StartNew();
    var sessions = new List<BenchConnection>();
    foreach (var chunk in online.Chunk(50))
    {
        sessions.AddRange(await Task.WhenAll(chunk.Select(user =>
            BenchConnection.OpenAsync(server.EdgeEndpoint!, user, DevTokens.Mint(user, signingKey), tracker.OnPush))));
    }

    await using var sender = await BenchConnection.OpenAsync(server.EdgeEndpoint!, owner, DevTokens.Mint(owner, signingKey), (_, _) => { });
    Console.WriteLine($"{sessions.Count} sessions logged in in {connect.Elapsed.TotalSeconds:F1} s; user grains active: {await ActiveUsersAsync()}");

    // 3. Latency: one message at a time, each waited for until every online member has it.
    var activeBefore = await ActiveUsersAsync();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var wall = Stopwatch.StartNew();
    var ttld = new List<double>();
    var acks = new List<double>();
    for (var i = 0; i < options.Messages; i++)
    {
        var started = Stopwatch.GetTimestamp();
        var (header, body) = await sender.RequestAsync(CommandCode.SendMessage, Message(conversationId, i));
        acks.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        var seq = header.IsError ? throw new InvalidOperationException(ErrorBody.Parser.ParseFrom(body).Reason) : SendMessageResponse.Parser.ParseFrom(body).Seq;
        var last = await tracker.CompletedAsync(seq);
        ttld.Add(Stopwatch.GetElapsedTime(started, last).TotalMilliseconds);
    }

    var latencyCpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
    var latencyWall = wall.Elapsed;
    ttld.Sort();
    acks.Sort();
    Console.WriteLine($"latency: {options.Messages} messages x {online.Count} online; time-to-last-delivery p50 {Percentile(ttld, 0.50):F1} ms, "
        + $"p99 {Percentile(ttld, 0.99):F1} ms, max {ttld[^1]:F1} ms; send ack p50 {Percentile(acks, 0.50):F2} ms; "
        + $"process CPU {latencyCpu.TotalSeconds / latencyWall.TotalSeconds:F2} cores");

    // 4. Throughput: a burst written back to back; deliveries/s from the first write to the last delivery.
    cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var burstStart = Stopwatch.GetTimestamp();
    var sends = Enumerable.Range(options.Messages, options.Burst).Select(i => sender.RequestAsync(CommandCode.SendMessage, Message(conversationId, i))).ToList();
    await Task.WhenAll(sends);
    var lastSeq = sends.Max(s => SendMessageResponse.Parser.ParseFrom(s.Result.Body).Seq);
    var burstEnd = await tracker.CompletedAsync(lastSeq);
    for (var seq = lastSeq - options.Burst + 1; seq <= lastSeq; seq++)
    {
        burstEnd = Math.Max(burstEnd, await tracker.CompletedAsync(seq));
    }

    var burstSeconds = Stopwatch.GetElapsedTime(burstStart, burstEnd).TotalSeconds;
    var burstCpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
    var deliveries = (long)options.Burst * online.Count;
    Console.WriteLine($"throughput: {options.Burst} messages x {online.Count} online = {deliveries} deliveries in {burstSeconds:F2} s = "
        + $"{deliveries / burstSeconds:F0} deliveries/s ({options.Burst / burstSeconds:F0} msgs/s); process CPU {burstCpu.TotalSeconds / burstSeconds:F2} cores, "
        + $"{burstCpu.TotalMilliseconds * 1000 / deliveries:F1} µs CPU per delivery (server and clients together)");

    var activeAfter = await ActiveUsersAsync();
    Console.WriteLine($"user grains active before the messages {activeBefore}, after {activeAfter} (offline members woken: {Math.Max(0, activeAfter - activeBefore)}); "
        + $"duplicates: {tracker.Duplicates}");

    foreach (var session in sessions)
    {
        await session.DisposeAsync();
    }

    return tracker.Duplicates == 0 && activeAfter <= activeBefore ? 0 : 1;
}
finally
{
    await server.StopAsync();
    await server.DisposeAsync();
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(dataDirectory, recursive: true);
}

async Task<int> ActiveUsersAsync() => (await management.GetActiveGrains(GrainType.Create("user"))).Count;

static SendMessageRequest Message(string conversationId, int i) => new()
{
    ConversationId = conversationId,
    ClientMsgId = Guid.NewGuid().ToString(),
    Type = MessageType.Text,
    Content = $"fan-out message {i}",
};

static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

internal sealed record Options(int Members, int Online, int Messages, int Burst)
{
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, int> { ["--members"] = 10_000, ["--online"] = 1_000, ["--messages"] = 100, ["--burst"] = 200 };
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!values.ContainsKey(args[i]) || !int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                throw new ArgumentException($"usage: [--members N] [--online N] [--messages N] [--burst N]; bad '{args[i]} {args[i + 1]}'");
            }

            values[args[i]] = value;
        }

        var members = values["--members"];
        return new Options(members, Math.Min(values["--online"], members - 1), values["--messages"], values["--burst"]);
    }
}
