using System.Runtime.InteropServices;
using CertDaemon.Configuration;
using CertDaemon.Dns.Route53;
using CertDaemon.Renewal;
using CertDaemon.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;

namespace CertDaemon.Hosting;

/// <summary>
/// Starts and steers the schedule: recovery at start, one Quartz job per certificate (checked at once, then when
/// each check asks), re-planning on SIGHUP or when the configuration file changes.
/// </summary>
internal sealed class RenewalScheduler(
    DaemonRuntime runtime,
    DaemonStartup startup,
    ISchedulerFactory schedulers,
    TimeProvider time,
    ILogger<RenewalScheduler> logger) : IHostedService, IDisposable
{
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private readonly HashSet<string> _scheduled = new(StringComparer.Ordinal);
    private PosixSignalRegistration? _hangup;
    private FileSystemWatcher? _watcher;
    private CancellationTokenSource? _debounce;
    private IScheduler? _scheduler;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        runtime.Activate(startup.Configuration);
        _scheduler = await schedulers.GetScheduler(cancellationToken);
        await RecoverAsync(cancellationToken);
        var count = await ReconcileJobsAsync(cancellationToken);
        DaemonLog.DaemonStarted(logger, typeof(RenewalScheduler).Assembly.GetName().Version?.ToString() ?? "?", count, startup.Configuration.SourcePath);

        _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // SIGHUP means "reload", not "terminate"
            _ = ReloadAsync("SIGHUP");
        });
        WatchConfigurationFile(startup.Configuration.SourcePath);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _hangup?.Dispose();
        _watcher?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Re-reads and validates the configuration; invalid -> keep running on the old one.</summary>
    public async Task ReloadAsync(string trigger)
    {
        await _reloadGate.WaitAsync();
        try
        {
            var result = ConfigurationLoader.Load(startup.Configuration.SourcePath);
            if (!result.Succeeded)
            {
                ConfigurationLog.ConfigurationInvalid(logger, result.Problems);
                DaemonLog.ConfigurationReloadRejected(logger, result.SourcePath);
                return;
            }

            runtime.Activate(result.Configuration!);
            var count = await ReconcileJobsAsync(CancellationToken.None);
            DaemonLog.ConfigurationReloaded(logger, result.SourcePath, trigger, count);
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    /// <summary>One job per managed certificate, each due now (with a small random spread): everything is re-planned.</summary>
    private async Task<int> ReconcileJobsAsync(CancellationToken cancellationToken)
    {
        var scheduler = _scheduler!;
        using var lease = runtime.Acquire();
        var certificates = await lease.Catalog.ListAsync(cancellationToken);
        var wanted = certificates.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _scheduled.Where(n => !wanted.Contains(n)).ToList())
        {
            await scheduler.DeleteJob(new JobKey(gone, CertificateCheckJob.Group), cancellationToken);
            _scheduled.Remove(gone);
        }

        var now = time.GetUtcNow();
        foreach (var certificate in certificates)
        {
            var at = now + TimeSpan.FromMilliseconds(Random.Shared.Next(0, Math.Min(10_000, 200 * certificates.Count)));
            var jobKey = new JobKey(certificate.Name, CertificateCheckJob.Group);
            if (await scheduler.Exists(jobKey, cancellationToken))
            {
                await CertificateCheckJob.Reschedule(scheduler, certificate.Name, at);
            }
            else
            {
                var job = JobBuilder.Create<CertificateCheckJob>().WithIdentity(jobKey).Build();
                await scheduler.ScheduleJob(job, CertificateCheckJob.TriggerFor(certificate.Name, at), cancellationToken: cancellationToken);
            }

            _scheduled.Add(certificate.Name);
        }

        return certificates.Count;
    }

    /// <summary>
    /// Finishes or undoes half-done live switches, and removes challenge records journaled by runs that cannot still
    /// be in flight (older than any propagation timeout); a certificate's own recent leftovers are removed by its next
    /// run, under its lock.
    /// </summary>
    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        using var lease = runtime.Acquire();
        var lineages = await lease.Get<CertificateStore>().RecoverAsync(cancellationToken);
        var removed = 0;
        try
        {
            var cutoff = time.GetUtcNow() - lease.Options.Route53.PropagationTimeout - TimeSpan.FromMinutes(15);
            var solver = lease.Get<Route53SolverFactory>().Create(null, lease.Options.Route53.RoleArn, lease.Options.Route53.ExternalId);
            removed = await solver.RecoverAsync(entry => entry.RecordedAt < cutoff, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            DaemonLog.StartupRecoveryFailed(logger, exception);
        }

        DaemonLog.StartupRecovery(logger, lineages.Count, removed);
    }

    private void WatchConfigurationFile(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is null || !Directory.Exists(directory))
        {
            return;
        }

        _watcher = new FileSystemWatcher(directory, Path.GetFileName(path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            EnableRaisingEvents = true,
        };
        _watcher.Changed += (_, _) => ScheduleReload();
        _watcher.Created += (_, _) => ScheduleReload();
        _watcher.Renamed += (_, _) => ScheduleReload();
    }

    /// <summary>Editors write a file in several steps: reload once, a moment after the last change.</summary>
    private void ScheduleReload()
    {
        var debounce = new CancellationTokenSource();
        Interlocked.Exchange(ref _debounce, debounce)?.Cancel();
        _ = Task.Delay(TimeSpan.FromSeconds(1), time, debounce.Token).ContinueWith(
            t => t.IsCompletedSuccessfully ? ReloadAsync("file changed") : Task.CompletedTask, TaskScheduler.Default).Unwrap();
    }

    public void Dispose()
    {
        _hangup?.Dispose();
        _watcher?.Dispose();
        _debounce?.Dispose();
        _reloadGate.Dispose();
    }
}
