using CertDaemon.Renewal;
using Microsoft.Extensions.Logging;
using Quartz;

namespace CertDaemon.Hosting;

/// <summary>
/// The daemon's scheduled check of one certificate: runs <see cref="RenewalCoordinator.CheckAsync"/> and reschedules
/// itself at the time it returns. One run at a time per certificate; other certificates run in parallel.
/// </summary>
/// <remarks>
/// Never throws: a failure of this certificate is logged and retried later, and never stops other certificates or
/// the host. On shutdown the run is cancelled and not rescheduled.
/// </remarks>
[DisallowConcurrentExecution]
internal sealed class CertificateCheckJob(DaemonRuntime runtime, IdleMemoryTrimmer trimmer, TimeProvider time, ILogger<CertificateCheckJob> logger) : IJob
{
    public const string NameKey = "certificate";

    /// <summary>How long to wait after an unexpected failure (state file unreadable, ...), at most the check interval.</summary>
    public static readonly TimeSpan FailureRetry = TimeSpan.FromMinutes(5);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var name = context.MergedJobDataMap.GetString(NameKey) ?? context.JobDetail.Key.Name;
        using var working = trimmer.Enter();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, runtime.Stopping);
        var stopping = cancellation.Token;
        DateTimeOffset next;
        int generation;
        try
        {
            await using var lease = runtime.Acquire();
            generation = lease.GenerationNumber;
            var certificate = await lease.Get<ManagedCertificateCatalog>().FindAsync(name, stopping);
            if (certificate is null)
            {
                await context.Scheduler.DeleteJob(context.JobDetail.Key, CancellationToken.None);
                DaemonLog.CertificateUnscheduled(logger, name);
                return;
            }

            var result = await lease.Get<RenewalCoordinator>().CheckAsync(certificate, force: false, stopping);
            next = result.NextCheckAt;
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            return; // stopping: the issuer cleaned up its challenge records; the next start checks again
        }
        catch (Exception exception)
        {
            var interval = runtime.Configuration.Options.Renewal.CheckInterval;
            next = time.GetUtcNow() + (FailureRetry < interval ? FailureRetry : interval);
            generation = 0;
            DaemonLog.CertificateCheckFailed(logger, exception, name, exception.Message, next);
        }

        if (runtime.Stopping.IsCancellationRequested)
        {
            return;
        }

        // A reload while this check ran re-planned everyone "now"; this check's plan was made with the old settings.
        if (generation != 0 && generation != runtime.GenerationNumber)
        {
            next = time.GetUtcNow() + (CertificateScheduler.StartSpread * Random.Shared.NextDouble());
        }

        await CertificateScheduler.ScheduleAsync(context.Scheduler, context.JobDetail.Key, next, CancellationToken.None);
        DaemonLog.CertificateCheckScheduled(logger, name, next);
    }
}
