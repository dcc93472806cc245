using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Aws.Acm;

/// <summary>DI registration of the ACM clients.</summary>
internal static class AcmServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IAcmClientFactory"/> (singleton; one client and one request budget per region) and
    /// <see cref="TimeProvider.System"/> if no clock is registered. <paramref name="configure"/> sets the endpoint,
    /// request budget and retry bounds; the default honours <c>AWS_ENDPOINT_URL_ACM</c>.
    /// </summary>
    public static IServiceCollection AddCertDaemonAcm(this IServiceCollection services, Func<IServiceProvider, AcmClientFactoryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => configure?.Invoke(sp) ?? new AcmClientFactoryOptions());
        services.TryAddSingleton<IAcmClientFactory>(sp => new AcmClientFactory(
            sp.GetRequiredService<AcmClientFactoryOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AcmClientFactory>>()));
        return services;
    }
}
