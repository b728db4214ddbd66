using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace ImOrleans.EdgeGateway;

/// <summary>
/// Metrics through OpenTelemetry, the same way in a silo and in a standalone edge: the given meters (and Orleans' own
/// with <c>Telemetry:OrleansMetrics=true</c>), scraped by Prometheus at <c>GET /metrics</c> on the process's HTTP port,
/// and also pushed over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter's own standard variables
/// configure it).
/// </summary>
public static class ImOrleansTelemetry
{
    public const string ScrapePath = "/metrics";

    /// <summary>Orleans' own meter: activations, messages, membership (a silo's; an edge's client side).</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>The edge's meter: connections, sessions, logins, requests, pushes, closes.</summary>
    public const string EdgeMeter = EdgeMetrics.MeterName;

    /// <summary>
    /// The runtime's built-in meter: GC collections, pause time and heap sizes, thread-pool queue, CPU time. Read only
    /// at a scrape (observable instruments), so it costs nothing on the message path; the collector's pauses are most
    /// of the latency tail below saturation (docs/benchmarks.md, session 7).
    /// </summary>
    public const string RuntimeMeter = "System.Runtime";

    public static void AddImOrleansTelemetry(this WebApplicationBuilder builder, string serviceName, IEnumerable<string> meters)
    {
        var otlp = !string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        // Off by default: once something listens, Orleans records several instruments on every grain call, the path
        // every message takes several times.
        var orleans = builder.Configuration.GetValue("Telemetry:OrleansMetrics", false);
        string[] subscribed = orleans ? [.. meters, RuntimeMeter, OrleansMeter] : [.. meters, RuntimeMeter];
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(subscribed).AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
    }

    public static void MapImOrleansTelemetry(this WebApplication app) => app.MapPrometheusScrapingEndpoint(ScrapePath);
}
