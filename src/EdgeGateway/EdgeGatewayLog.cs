namespace ImOrleans.EdgeGateway;

/// <summary>Log lines of the edge's cluster connection.</summary>
internal static partial class EdgeGatewayLog
{
    [LoggerMessage(35, LogLevel.Warning, "Connected silo gateways went from {Previous} to {Current}; sessions renew their registrations if one was lost")]
    public static partial void GatewayCountChanged(ILogger logger, int previous, int current);
}
