using CertDaemon.Renewal.Sources;
using CertDaemon.Renewal.Sources.AcmExport;
using CertDaemon.Acme;
using CertDaemon.Aws;
using CertDaemon.Aws.Acm;
using CertDaemon.Aws.Route53;
using CertDaemon.Configuration;
using CertDaemon.Deployment;
using CertDaemon.Deployment.Acm;
using CertDaemon.Deployment.Nginx;
using CertDaemon.Processes;
using CertDaemon.Dns;
using CertDaemon.Dns.Route53;
using CertDaemon.Fleet;
using CertDaemon.Issuance;
using CertDaemon.Monitoring;
using CertDaemon.Notifications;
using CertDaemon.Renewal;
using CertDaemon.Renewal.Sources.CaChain;
using CertDaemon.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Hosting;

/// <summary>
/// The composition root: every service built from one validated <see cref="CertDaemonOptions"/>. One-shot CLI
/// commands and the daemon register the same graph, so a certificate is issued and deployed the same way by both.
/// </summary>
internal static class CertDaemonServices
{
    public static IServiceCollection AddCertDaemon(this IServiceCollection services, CertDaemonOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddCertDaemonAws(_ => new Route53ClientFactoryOptions { Endpoint = options.Route53.EndpointUrl });

        // ACME: one HttpClient (pooled connections) trusting Acme.TrustedCaFile's roots for the CA's TLS only.
        services.AddSingleton(_ => AcmeHttpHandlerFactory.CreateClient(options.Acme.TrustedCaFile));
        services.AddSingleton(sp => new AcmeAccountProvisioner(options.StateDirectory, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(new AcmeAccountSettings(
            options.Acme.DirectoryUrl, options.Acme.Email, options.Acme.AcceptTermsOfService,
            options.Acme.ExternalAccountBinding?.KeyId, options.Acme.ExternalAccountBinding?.HmacKey));
        services.AddSingleton(new IssuanceOptions());
        services.AddSingleton(AcmeChainConfiguration.FromOptions(options.Acme));
        services.AddSingleton<AcmeSessions>();
        services.AddSingleton(FallbackPolicy.Default);
        services.AddSingleton<AcmeFallbackIssuer>();

        // DNS-01 through Route53.
        services.AddSingleton<IChallengeJournal>(_ => new FileChallengeJournal(options.StateDirectory));
        services.AddSingleton<ChallengeRunRegistry>();
        services.AddSingleton(_ => new ZoneWriteLocks(options.StateDirectory));
        services.AddSingleton(new Route53SolverOptions
        {
            PropagationTimeout = options.Route53.PropagationTimeout,
            PrivateZones = options.Route53.PrivateZones,
            HostedZoneId = options.Route53.HostedZoneId,
            Nameservers = options.Dns.Nameservers,
        });
        services.AddSingleton<Route53SolverFactory>();
        services.AddSingleton<IDnsChallengeSolverFactory>(sp => sp.GetRequiredService<Route53SolverFactory>());
        services.AddSingleton<IChallengeRecovery>(sp => sp.GetRequiredService<Route53SolverFactory>());
        services.AddSingleton<IValidationRecordWriter, AcmValidationRecordWriter>();

        // Files.
        services.AddSingleton(sp => new CertificateStore(
            options.CertificateDirectory, new Storage.CertificateStoreOptions { KeepVersions = options.Store.KeepVersions },
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CertificateStore>>()));
        services.AddSingleton(sp => new CertificateStateStore(
            options.StateDirectory, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CertificateStateStore>>())
        {
            RebuildFromLiveFiles = sp.GetRequiredService<LiveStateRebuilder>().Rebuild,
        });
        services.AddSingleton(sp => new LiveStateRebuilder(options, sp.GetRequiredService<CertificateStore>()));

        // Deployment targets.
        services.AddSingleton<CommandRunner>();
        services.AddSingleton(sp => new ServedCertificateProbe(sp.GetRequiredService<TimeProvider>(), null));
        services.AddSingleton<DeployHookRunner>();
        services.AddSingleton<Certbot.CertbotHookRunner>();
        services.AddSingleton(sp => new NginxDeployer(
            options.Nginx, sp.GetRequiredService<CommandRunner>(), sp.GetRequiredService<ServedCertificateProbe>(),
            LiveRollback.For(sp.GetRequiredService<CertificateStore>()), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<NginxDeployer>>(), sp.GetRequiredService<IssuanceThrottle>()));
        // ACM: one deployer per region any certificate imports into (each with its own client and rate budget).
        services.AddCertDaemonAcm();
        services.AddSingleton<IReadOnlyList<ICertificateDeployer>>(sp =>
        {
            var deployers = new List<ICertificateDeployer>();
            if (options.Nginx.Enabled)
            {
                deployers.Add(sp.GetRequiredService<NginxDeployer>());
            }

            var acm = sp.GetRequiredService<IAcmClientFactory>();
            foreach (var region in options.Certificates.Where(c => c.Issuer != CertificateIssuers.AcmExport)
                .SelectMany(c => c.Acm?.Regions ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                deployers.Add(new AcmDeployer(
                    acm.Create(region), sp.GetRequiredService<CertificateStateStore>(), sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<ILogger<AcmDeployer>>()));
            }

            return deployers;
        });

        services.AddSingleton<Renewal.Sources.AcmExport.AcmExportIssuer>();
        services.AddSingleton<Renewal.Sources.AcmExport.AcmExportWatch>();
        // The lifecycle picks the one source that applies to each certificate (see ICertificateSource).
        services.AddSingleton<ICertificateSource, AcmeChainSource>();
        services.AddSingleton<ICertificateSource, AcmExportSource>();
        services.AddSingleton<ICertificateLock>(sp => new LocalCertificateLock(
            options.StateDirectory, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<LocalCertificateLock>()));
        services.AddSingleton<CertificateLifecycle>();

        // Renewal: the same coordinator for the daemon's jobs and `certdaemon renew`.
        services.AddSingleton<ICertificateRenewer>(sp => sp.GetRequiredService<CertificateLifecycle>());
        services.AddSingleton<IRenewalInfoSource, AcmeRenewalInfoSource>();
        services.AddSingleton(sp => new IssuanceThrottle(options.Renewal.MaxConcurrentIssuances, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<LiveCertificateAdoption>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<RenewalCoordinator>(sp, Random.Shared));
        services.AddSingleton(sp => new ManagedCertificateCatalog(options, sp.GetRequiredService<CertificateStateStore>()));

        // After every check: the metrics textfile, then notifications (queued; never delaying a renewal).
        services.AddSingleton(sp => new CertificateStatusReader(
            options, sp.GetRequiredService<ManagedCertificateCatalog>(), sp.GetRequiredService<CertificateStateStore>(), sp.GetRequiredService<TimeProvider>(),
            store: sp.GetRequiredService<CertificateStore>()));
        services.AddSingleton<MetricsPublisher>();
        // The webhook client lives as long as the daemon: pooled connections are renewed every few minutes so a
        // receiver that moved (DNS) is reached at its new address.
        services.AddSingleton(sp => new NotificationDispatcher(
            options, sp.GetRequiredService<CertificateStatusReader>(),
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }), sp.GetRequiredService<CommandRunner>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<NotificationDispatcher>>()));
        services.AddSingleton<IRenewalCheckObserver>(sp => sp.GetRequiredService<MetricsPublisher>());
        services.AddSingleton<IRenewalCheckObserver>(sp => sp.GetRequiredService<NotificationDispatcher>());
        // Fleet mode (off without a Fleet section): the renewer and the challenge journal go through the S3 store.
        services.AddCertDaemonFleet(options);
        return services;
    }
}
