using System.Net;
using ImOrleans.EdgeGateway;
using Orleans.Configuration;

namespace ImOrleans.Silo;

/// <summary>How a silo joins its cluster: membership (localhost or Redis), endpoints, failure detection.</summary>
internal static class SiloClustering
{
    public static ISiloBuilder UseImOrleansCluster(this ISiloBuilder orleans, SiloOptions silo)
    {
        if (silo.UsesRedis)
        {
            orleans.UseRedisClustering(silo.RedisConnectionString!);
            var advertised = silo.ResolveAdvertisedAddress();
            if (advertised is null)
            {
                // Orleans picks this host's first non-loopback address and listens on it.
                orleans.ConfigureEndpoints(silo.SiloPort, silo.GatewayPort, listenOnAnyHostAddress: true);
            }
            else
            {
                // Listen on every address unless the advertised one is loopback (a one-machine cluster stays private).
                orleans.ConfigureEndpoints(advertised, silo.SiloPort, silo.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
            }

            orleans.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = silo.ClusterId;
                o.ServiceId = silo.ServiceId;
            });
        }
        else
        {
            orleans.UseLocalhostClustering(silo.SiloPort, silo.GatewayPort, serviceId: silo.ServiceId, clusterId: silo.ClusterId);
        }

        orleans.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = silo.ProbeTimeout;
            o.NumMissedProbesLimit = silo.MissedProbesLimit;
        });
        orleans.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = silo.ResponseTimeout);
        return orleans;
    }
}
