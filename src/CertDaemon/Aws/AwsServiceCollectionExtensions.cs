using CertDaemon.Aws.Route53;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Aws;

/// <summary>DI registration of the AWS layer.</summary>
internal static class AwsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IRoute53ClientFactory"/> (singleton), the process-wide <see cref="AwsRequestRateLimiter"/>
    /// (singleton, 5 requests/s burst 5, unless one is registered already) and <see cref="TimeProvider.System"/> if no
    /// clock is registered. <paramref name="configure"/> sets the endpoint, session name and retry bounds.
    /// </summary>
    public static IServiceCollection AddCertDaemonAws(this IServiceCollection services, Func<IServiceProvider, Route53ClientFactoryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new AwsRequestRateLimiter(timeProvider: sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => configure?.Invoke(sp) ?? new Route53ClientFactoryOptions());
        services.TryAddSingleton<IRoute53ClientFactory>(sp => new Route53ClientFactory(
            sp.GetRequiredService<Route53ClientFactoryOptions>(),
            sp.GetRequiredService<AwsRequestRateLimiter>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<Route53ClientFactory>>()));
        return services;
    }
}
