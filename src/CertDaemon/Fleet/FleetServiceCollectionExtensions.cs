using CertDaemon.Configuration;
using CertDaemon.Dns;
using CertDaemon.Renewal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Fleet;

/// <summary>DI registration of fleet mode: replaces the renewer and the challenge journal when <c>Fleet</c> is configured.</summary>
internal static class FleetServiceCollectionExtensions
{
    /// <summary>
    /// With <see cref="CertDaemonOptions.Fleet"/> set, registers the S3 store, the leases and the fleet renewer (which
    /// wraps <see cref="CertificateLifecycle"/>) over the single-box registrations; without it, changes nothing.
    /// Call after the single-box services are registered (the later registration wins).
    /// </summary>
    public static IServiceCollection AddCertDaemonFleet(this IServiceCollection services, CertDaemonOptions options)
    {
        if (options.Fleet is not { } fleet)
        {
            return services;
        }

        services.AddSingleton(fleet);
        services.AddSingleton(_ => FleetInstance.ForStateDirectory(options.StateDirectory));
        services.AddSingleton<IFleetObjectStore>(sp => S3FleetObjectStore.Create(fleet, sp.GetRequiredService<ILogger<S3FleetObjectStore>>()));
        services.AddSingleton<FleetLeases>();
        // At least the previous version stays: an instance may be downloading it while the renewer publishes the next.
        services.AddSingleton(sp => new FleetManifestStore(sp.GetRequiredService<IFleetObjectStore>(), Math.Max(2, options.Store.KeepVersions)));
        services.AddSingleton<FleetManifestCache>();
        services.AddSingleton<FleetSynchronizer>();
        services.AddSingleton<FleetAccountKeys>();
        services.AddSingleton(_ => new FileChallengeJournal(options.StateDirectory));
        services.AddSingleton<IChallengeJournal>(sp => new FleetChallengeJournal(
            sp.GetRequiredService<FileChallengeJournal>(), sp.GetRequiredService<FleetLeases>(), sp.GetRequiredService<ILogger<FleetChallengeJournal>>()));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<FleetCertificateRenewer>(sp, sp.GetRequiredService<FileChallengeJournal>()));
        services.AddSingleton<ICertificateRenewer>(sp => sp.GetRequiredService<FleetCertificateRenewer>());
        return services;
    }
}
