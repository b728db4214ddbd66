using Microsoft.Extensions.DependencyInjection;

namespace ImOrleans.Grains.Hosting;

/// <summary>Binds the settings of groups and message rules from configuration.</summary>
public static class MessagingServiceCollectionExtensions
{
    /// <summary>Binds <see cref="GroupOptions"/> (section Groups) and <see cref="MessagingOptions"/> (section Messaging), validated at start.</summary>
    public static IServiceCollection AddImOrleansMessagingOptions(this IServiceCollection services)
    {
        services.AddOptions<GroupOptions>()
            .BindConfiguration(GroupOptions.SectionName)
            .Validate(o => !o.Validate().Any(), "invalid Groups settings")
            .ValidateOnStart();
        services.AddOptions<MessagingOptions>()
            .BindConfiguration(MessagingOptions.SectionName)
            .Validate(o => !o.Validate().Any(), "invalid Messaging settings")
            .ValidateOnStart();
        return services;
    }
}
