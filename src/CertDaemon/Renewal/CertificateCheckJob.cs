using CertDaemon.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;

namespace CertDaemon.Renewal;

/// <summary>
/// The Quartz job for one certificate (job key = certificate name): run one <see cref="RenewalCoordinator"/> check and
/// reschedule itself at the moment the check asked for. Never two runs of the same certificate at once.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class CertificateCheckJob(DaemonRuntime runtime, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<CertificateCheckJob> logger) : IJob
{
    public const string Group = "certificates";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var name = context.JobDetail.Key.Name;
        // SIGTERM cancels the check; the issuer still removes its challenge records within its own bound.
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        DateTimeOffset next;
        using (var lease = runtime.Acquire())
        {
            var certificate = await lease.Catalog.FindAsync(name, cancellation.Token);
            if (certificate is null)
            {
                await context.Scheduler.DeleteJob(context.JobDetail.Key, CancellationToken.None);
                return;
            }

            try
            {
                var outcome = await lease.Get<RenewalCoordinator>().CheckAsync(certificate, force: false, cancellation.Token);
                next = outcome.NextCheckAt;
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // Background work survives one bad certificate (STYLE 11): log, look again later, never stop the host.
                next = time.GetUtcNow().AddMinutes(10);
                DaemonLog.CheckCrashed(logger, exception, name, next);
            }
        }

        if (!cancellation.IsCancellationRequested)
        {
            await Reschedule(context.Scheduler, name, next);
        }
    }

    public static async Task Reschedule(IScheduler scheduler, string name, DateTimeOffset at) =>
        await scheduler.RescheduleJob(TriggerKeyFor(name), TriggerFor(name, at), CancellationToken.None);

    public static TriggerKey TriggerKeyFor(string name) => new(name, Group);

    public static ITrigger TriggerFor(string name, DateTimeOffset at) =>
        TriggerBuilder.Create().WithIdentity(TriggerKeyFor(name)).ForJob(new JobKey(name, Group)).StartAt(at)
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow)).Build();
}
