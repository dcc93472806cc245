using CertDaemon.Dns.Route53;
using CertDaemon.Renewal;
using CertDaemon.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Hosting;

/// <summary>
/// Start-up and housekeeping of <c>certdaemon run</c>. Before the scheduler starts: finish or undo half-done switches
/// of the certificate store, remove stale state temporaries, and remove DNS challenge records a crashed run left
/// (the solver's journal; only safe before this process presents anything). Then every certificate is scheduled for
/// a check at once. Afterwards the catalog is re-read every few minutes, so ad-hoc certificates issued with
/// <c>certdaemon issue -d</c> (or deleted) while the daemon runs are picked up.
/// </summary>
internal sealed class DaemonService(DaemonRuntime runtime, CertificateScheduler scheduler, IdleMemoryTrimmer trimmer, TimeProvider time, ILogger<DaemonService> logger) : BackgroundService
{
    /// <summary>How often the catalog is re-read for ad-hoc certificates added or deleted by other commands.</summary>
    public static readonly TimeSpan CatalogRefreshInterval = TimeSpan.FromMinutes(5);

    /// <summary>Start-up recovery may not hold up the start (and systemd's READY) for longer than this.</summary>
    public static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(60);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // The start-up's garbage is returned once it and the first checks are done (IdleMemoryTrimmer).
        using var starting = trimmer.Enter();
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(RecoveryTimeout);
            await RecoverAsync(timeout.Token);
        }

        var names = await scheduler.SyncAsync(checkAll: true, cancellationToken);
        var options = runtime.Configuration.Options;
        DaemonLog.DaemonStarted(logger, runtime.Configuration.SourcePath, names.Count, names, options.Renewal.CheckInterval, options.Renewal.MaxConcurrentIssuances);
        await base.StartAsync(cancellationToken);
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        DaemonLog.DaemonStopping(logger);
        return base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CatalogRefreshInterval, time);
        while (await WaitAsync(timer, stoppingToken))
        {
            try
            {
                await scheduler.SyncAsync(checkAll: false, stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                DaemonLog.StartupRecoveryFailed(logger, exception, "catalog refresh", exception.Message);
            }
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await using var lease = runtime.Acquire();
        try
        {
            await lease.Get<CertificateStore>().RecoverAsync(cancellationToken);
            lease.Get<CertificateStateStore>().DeleteStaleTemporaryFiles();
        }
        catch (Exception exception)
        {
            DaemonLog.StartupRecoveryFailed(logger, exception, "the certificate store", cancellationToken.IsCancellationRequested ? "timed out" : exception.Message);
        }

        try
        {
            var removed = await RecoverChallengeRecordsAsync(lease, cancellationToken);
            if (removed > 0)
            {
                DaemonLog.ChallengeRecordsRecovered(logger, removed);
            }
        }
        catch (Exception exception)
        {
            DaemonLog.StartupRecoveryFailed(logger, exception, "DNS challenge records left by an earlier run", cancellationToken.IsCancellationRequested ? "timed out" : exception.Message);
        }
    }

    private static async Task<int> RecoverChallengeRecordsAsync(DaemonRuntime.Lease lease, CancellationToken cancellationToken)
    {
        // Each journal entry names its zone; zones reachable only through a certificate's own role are tried with it,
        // after the global role cleaned what it could (entries it could not remove stay in the journal).
        var options = lease.Options;
        var certificates = await lease.Get<ManagedCertificateCatalog>().ListAsync(cancellationToken);
        var roles = new[] { (options.Route53.RoleArn, options.Route53.ExternalId) }
            .Concat(certificates.Select(c => (c.RoleArn, c.ExternalId)))
            .Distinct()
            .ToList();
        var solvers = lease.Get<Route53SolverFactory>();
        var removed = 0;
        Exception? last = null;
        foreach (var (roleArn, externalId) in roles)
        {
            if ((await solvers.Journal.ListAsync(cancellationToken)).Count == 0)
            {
                return removed;
            }

            try
            {
                removed += await solvers.Create(options.Route53.HostedZoneId, roleArn, externalId).RecoverAsync(cancellationToken);
            }
            catch (Dns.ChallengeCleanUpException exception)
            {
                last = exception;
            }
        }

        return last is null ? removed : throw last;
    }
}
