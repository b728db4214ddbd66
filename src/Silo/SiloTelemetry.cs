using ImOrleans.EdgeGateway;
using ImOrleans.Grains.Hosting;

namespace ImOrleans.Silo;

/// <summary>The silo's metrics: the message store's meter, and the edge's when the silo hosts one (see <see cref="ImOrleansTelemetry"/>).</summary>
internal static class SiloTelemetry
{
    public static void AddSiloTelemetry(this WebApplicationBuilder builder, bool hostsEdge) =>
        builder.AddImOrleansTelemetry("imorleans-silo", hostsEdge ? [ImOrleansMeters.MessageStore, ImOrleansTelemetry.EdgeMeter] : [ImOrleansMeters.MessageStore]);

    public static void MapSiloTelemetry(this WebApplication app) => app.MapImOrleansTelemetry();
}
