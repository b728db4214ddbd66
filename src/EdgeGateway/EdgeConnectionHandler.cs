using Microsoft.AspNetCore.Connections;

namespace ImOrleans.EdgeGateway;

/// <summary>Kestrel entry point for client sockets: one <see cref="EdgeSession"/> per connection.</summary>
internal sealed class EdgeConnectionHandler(
    IGrainFactory grains,
    LoginTokenValidator tokens,
    IOptions<EdgeGatewayOptions> options,
    EdgeSessionRegistry registry,
    EdgeFanout fanout,
    TimeProvider time,
    ILogger<EdgeSession> logger) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var session = new EdgeSession(connection, grains, tokens, options.Value, time, logger) { Fanout = fanout, Registry = registry };
        registry.Add(session);
        try
        {
            await session.RunAsync();
        }
        finally
        {
            registry.Remove(session);
        }
    }
}
