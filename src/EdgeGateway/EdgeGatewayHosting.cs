using System.Net;
using ImOrleans.Grains;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;

namespace ImOrleans.EdgeGateway;

/// <summary>Registers the edge gateway in a host: inside a silo (co-hosted) or in a process of its own (Orleans client).</summary>
public static class EdgeGatewayHosting
{
    /// <summary>Adds the edge's services and binds <see cref="EdgeGatewayOptions"/> and <see cref="AuthOptions"/>, validated at start.</summary>
    public static IServiceCollection AddEdgeGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EdgeGatewayOptions>()
            .Bind(configuration.GetSection(EdgeGatewayOptions.SectionName))
            .Validate(o => !o.Validate().Any(), "invalid Edge settings")
            .ValidateOnStart();
        services.AddOptions<SocketTransportOptions>()
            .Configure<IOptions<EdgeGatewayOptions>>((transport, edge) =>
                transport.WaitForDataBeforeAllocatingBuffer = !edge.Value.ReceiveBufferWhileIdle);
        services.AddOptions<AuthOptions>()
            .Bind(configuration.GetSection(AuthOptions.SectionName))
            .Validate(o => !o.Validate().Any(), "invalid Auth settings")
            .ValidateOnStart();
        services.AddOptions<NavigationOptions>()
            .Bind(configuration.GetSection(NavigationOptions.SectionName))
            .Validate(o => !o.Validate().Any(), "invalid Navigation settings")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<LoginTokenValidator>();
        services.AddSingleton<SendAnswers>();
        services.AddSingleton<EdgeSessionRegistry>();
        services.AddSingleton<EdgeFanout>();
        services.AddSingleton<ILocalSessions>(sp => sp.GetRequiredService<EdgeFanout>());
        services.AddSingleton<EdgeListener>();
        services.AddHostedService(sp => sp.GetRequiredService<EdgeSessionRegistry>());
        services.AddHostedService<EdgeLoadReporter>();
        return services;
    }

    /// <summary>
    /// Checks the edge settings, returning one readable line per problem, so a host can refuse to start
    /// with a clear message before anything binds.
    /// </summary>
    public static IReadOnlyList<string> ValidateSettings(IConfiguration configuration)
    {
        var edge = configuration.GetSection(EdgeGatewayOptions.SectionName).Get<EdgeGatewayOptions>() ?? new();
        var auth = configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new();
        var navigation = configuration.GetSection(NavigationOptions.SectionName).Get<NavigationOptions>() ?? new();
        return [.. edge.Validate(), .. auth.Validate(), .. navigation.Validate()];
    }

    /// <summary>
    /// Checks how a standalone edge finds its cluster (section <c>Cluster</c>), returning one readable line per problem.
    /// </summary>
    public static IReadOnlyList<string> ValidateClusterSettings(IConfiguration configuration) =>
        [.. (configuration.GetSection(EdgeClusterOptions.SectionName).Get<EdgeClusterOptions>() ?? new()).Validate()];

    /// <summary>
    /// Makes a standalone edge an Orleans client of the cluster described by the section <c>Cluster</c>: its gateways
    /// come from Redis (or the local silo's gateway port), with the cluster's ids and the configured response timeout.
    /// </summary>
    public static IClientBuilder UseEdgeCluster(this IClientBuilder client, IConfiguration configuration)
    {
        var cluster = configuration.GetSection(EdgeClusterOptions.SectionName).Get<EdgeClusterOptions>() ?? new();
        if (cluster.UsesRedis)
        {
            client.UseRedisClustering(cluster.RedisConnectionString!);
        }
        else
        {
            client.UseLocalhostClustering(cluster.GatewayPort, cluster.ServiceId, cluster.ClusterId);
        }

        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = cluster.ResponseTimeout);
        client.Services.AddOptions<EdgeClusterOptions>().Bind(configuration.GetSection(EdgeClusterOptions.SectionName));
        client.UseConnectionRetryFilter<ClusterConnectRetryFilter>();

        // One gateway fewer: a silo died, and the user grains it hosted come back elsewhere without their sessions.
        client.AddGatewayCountChangedHandler(services => (_, change) =>
        {
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EdgeGatewayHosting));
            EdgeGatewayLog.GatewayCountChanged(logger, change.PreviousNumberOfConnectedGateways, change.NumberOfConnectedGateways);
            if (change.NumberOfConnectedGateways < change.PreviousNumberOfConnectedGateways)
            {
                RenewSessionsSoon(services);
            }
        });
        return client;
    }

    /// <summary>
    /// Has every session of this edge renew its registration with its user grain at once (retrying each sweep until it
    /// succeeds). Call it when a silo has died: user grains it hosted reactivate elsewhere without their sessions, and
    /// would push nothing to them until the next regular renewal. The 1:1 sends waiting for an answer are answered
    /// Unavailable at once: their conversations may have been on that silo (the clients' resends are deduplicated).
    /// </summary>
    public static void RenewSessionsSoon(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.GetService<EdgeSessionRegistry>()?.RenewAllSoon();
        services.GetService<SendAnswers>()?.GiveUpAll();
    }

    /// <summary>Binds the client TCP listener to the edge's connection handler; returns the listener (its port is real once started).</summary>
    public static ListenOptions ListenEdgeGateway(this KestrelServerOptions kestrel, IConfiguration configuration)
    {
        var edge = configuration.GetSection(EdgeGatewayOptions.SectionName).Get<EdgeGatewayOptions>() ?? new();
        ListenOptions? bound = null;
        kestrel.Listen(IPAddress.Parse(edge.ListenAddress), edge.Port, listen =>
        {
            listen.UseConnectionHandler<EdgeConnectionHandler>();
            bound = listen;
        });

        // So the load reporter can advertise the real port (0 in tests picks one).
        kestrel.ApplicationServices.GetService<EdgeListener>()?.Set(bound!);
        return bound!;
    }

    /// <summary>True when the configured signing key is the development key from appsettings.json.</summary>
    public static bool UsesDevelopmentSigningKey(IConfiguration configuration) =>
        configuration[$"{AuthOptions.SectionName}:{nameof(AuthOptions.SigningKey)}"] == AuthOptions.DevelopmentSigningKey;
}
