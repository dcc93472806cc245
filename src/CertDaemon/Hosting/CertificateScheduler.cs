using CertDaemon.Renewal;
using Microsoft.Extensions.Logging;
using Quartz;


namespace CertDaemon.Hosting;

/// <summary>
/// Keeps one Quartz job per managed certificate (<see cref="CertificateCheckJob"/>, one run at a time each), in
/// step with the catalog: adds jobs for new certificates, removes those no longer managed, and on start or reload
/// checks every certificate at once (spread over a few seconds so they do not all hit the CA together).
/// </summary>
internal sealed class CertificateScheduler(ISchedulerFactory schedulers, DaemonRuntime runtime, TimeProvider time, ILogger<CertificateScheduler> logger)
{
    public const string Group = "certificates";

    /// <summary>At most this much random delay before the start (or reload) check of each certificate.</summary>
    public static readonly TimeSpan StartSpread = TimeSpan.FromSeconds(3);

    private readonly SemaphoreSlim _sync = new(1, 1);
    private readonly HashSet<JobKey> _scheduled = [];

    /// <summary>Brings the jobs in line with the catalog; with <paramref name="checkAll"/> every certificate is checked now.</summary>
    public async Task<IReadOnlyList<string>> SyncAsync(bool checkAll, CancellationToken cancellationToken)
    {
        await _sync.WaitAsync(cancellationToken);
        try
        {
            var scheduler = await schedulers.GetScheduler(cancellationToken);
            await using var lease = runtime.Acquire();
            var certificates = await lease.Get<ManagedCertificateCatalog>().ListAsync(cancellationToken);
            var wanted = certificates.ToDictionary(c => KeyOf(c.Name), c => c.Name);
            foreach (var existing in _scheduled.Where(k => !wanted.ContainsKey(k)).ToList())
            {
                _scheduled.Remove(existing);
                if (await scheduler.DeleteJob(existing, cancellationToken))
                {
                    DaemonLog.CertificateUnscheduled(logger, existing.Name);
                }
            }

            foreach (var (key, name) in wanted)
            {
                var at = time.GetUtcNow() + (StartSpread * Random.Shared.NextDouble());
                _scheduled.Add(key);
                if (!await scheduler.Exists(key, cancellationToken))
                {
                    var job = JobBuilder.Create<CertificateCheckJob>()
                        .WithIdentity(key)
                        .UsingJobData(CertificateCheckJob.NameKey, name)
                        .StoreDurably()
                        .Build();
                    await scheduler.AddJob(job, cancellationToken: cancellationToken);
                    await ScheduleAsync(scheduler, key, at, cancellationToken);
                    DaemonLog.CertificateAdded(logger, name, at);
                }
                else if (checkAll)
                {
                    await ScheduleAsync(scheduler, key, at, cancellationToken);
                }
            }

            return [.. wanted.Values];
        }
        finally
        {
            _sync.Release();
        }
    }

    /// <summary>(Re)places the one trigger of <paramref name="job"/> to fire at <paramref name="at"/>.</summary>
    public static async Task ScheduleAsync(IScheduler scheduler, JobKey job, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var triggerKey = new TriggerKey(job.Name, job.Group);
        var trigger = TriggerBuilder.Create()
            .WithIdentity(triggerKey)
            .ForJob(job)
            .StartAt(at)
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        if (await scheduler.RescheduleJob(triggerKey, trigger, cancellationToken) is null)
        {
            await scheduler.ScheduleJob(trigger, cancellationToken: cancellationToken);
        }
    }

    /// <summary>Certificate names compare ignoring case (as in the configuration), so job keys are lower case.</summary>
    public static JobKey KeyOf(string name) => new(name.ToLowerInvariant(), Group);
}
