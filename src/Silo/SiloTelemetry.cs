using ImOrleans.Grains.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace ImOrleans.Silo;

/// <summary>
/// Metrics through OpenTelemetry: the store's meter (and Orleans' with <c>Telemetry:OrleansMetrics=true</c>), scraped by
/// Prometheus at <c>GET /metrics</c> on the silo's HTTP port, and also pushed over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter's own standard variables configure it).
/// </summary>
internal static class SiloTelemetry
{
    public const string ScrapePath = "/metrics";

    public static void AddSiloTelemetry(this WebApplicationBuilder builder)
    {
        var otlp = !string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        // Off by default: once something listens, Orleans records several instruments on every grain call, the path
        // every message takes several times.
        var orleans = builder.Configuration.GetValue("Telemetry:OrleansMetrics", false);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("imorleans-silo"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(orleans ? [.. ImOrleansMeters.All] : [ImOrleansMeters.MessageStore]).AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
    }

    public static void MapSiloTelemetry(this WebApplication app) => app.MapPrometheusScrapingEndpoint(ScrapePath);
}
