using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
        services.AddOptions<AuthOptions>()
            .Bind(configuration.GetSection(AuthOptions.SectionName))
            .Validate(o => !o.Validate().Any(), "invalid Auth settings")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<LoginTokenValidator>();
        services.AddSingleton<EdgeSessionRegistry>();
        services.AddHostedService(sp => sp.GetRequiredService<EdgeSessionRegistry>());
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
        return [.. edge.Validate(), .. auth.Validate()];
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
        return bound!;
    }

    /// <summary>True when the configured signing key is the development key from appsettings.json.</summary>
    public static bool UsesDevelopmentSigningKey(IConfiguration configuration) =>
        configuration[$"{AuthOptions.SectionName}:{nameof(AuthOptions.SigningKey)}"] == AuthOptions.DevelopmentSigningKey;
}
