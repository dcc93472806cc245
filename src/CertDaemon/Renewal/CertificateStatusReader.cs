using CertDaemon.Kernel;
using CertDaemon.Configuration;
using CertDaemon.Storage;

namespace CertDaemon.Renewal;

/// <summary>
/// Builds <see cref="CertificateStatus"/> from configuration, state and the planner. Reads the state files only: no
/// lock, no write, no network, so it works for a monitoring user in the state directory's group while the daemon runs.
/// </summary>
/// <remarks>With <paramref name="store"/>, the live files are looked at too (<see cref="CertificateStatus.LiveProblems"/>).
/// With <paramref name="adoption"/>, a live certificate CertDaemon did not write (certbot's, before the first
/// issuance or renewed behind CertDaemon's back) is shown and planned from, as the next check will record it.</remarks>
internal sealed class CertificateStatusReader(
    CertDaemonOptions options, ManagedCertificateCatalog catalog, CertificateStateStore states, TimeProvider time, LiveCertificateAdoption? adoption = null,
    CertificateStore? store = null)
{
    /// <summary><see cref="StateError.Kind"/> of a state file this version refuses to read.</summary>
    public const string UnreadableStateKind = "state-unreadable";

    public async Task<IReadOnlyList<CertificateStatus>> ReadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var certificates = await catalog.ListAsync(cancellationToken);
        var result = new CertificateStatus[certificates.Count];

        // Each certificate is read on its own (its state file, its lineage, its live files; nothing shared is written):
        // mostly system calls, spread over the cores. In catalog order whatever finishes first.
        await Parallel.ForEachAsync(
            Enumerable.Range(0, certificates.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (index, token) => result[index] = await ReadOneAsync(certificates[index], now, token));
        return result;
    }

    private async Task<CertificateStatus> ReadOneAsync(ManagedCertificate certificate, DateTimeOffset now, CancellationToken cancellationToken)
    {
        CertificateState? state;
        try
        {
            state = await states.LoadAsync(certificate.Name, cancellationToken);
        }
        catch (CertificateStoreException exception)
        {
            // One unreadable state (a newer schema) is shown on its certificate; the others are unaffected.
            state = new CertificateState { Name = certificate.Name, LastError = new StateError(exception.Message, now, UnreadableStateKind) };
        }

        if (adoption is not null && await FindForeignAsync(certificate.Name, state, cancellationToken) is { } foreign)
        {
            state = (state ?? new CertificateState { Name = certificate.Name }) with { Current = foreign };
        }

        var status = Describe(certificate, state, now);
        if (store is not null && status.Version is { } version && store.InspectLive(certificate.Name, version) is { Count: > 0 } problems)
        {
            // What nginx reads is broken: never "fine", whatever the state says.
            status = status with { LiveProblems = problems, Ready = false };
        }

        return status;
    }

    private async Task<CurrentCertificate?> FindForeignAsync(string name, CertificateState? state, CancellationToken cancellationToken)
    {
        try
        {
            return await adoption!.FindAsync(name, state, cancellationToken);
        }
        catch (Exception e) when (e is CertificateStoreException or CertificateMaterialException or Certbot.CertbotConfigurationException or IOException)
        {
            // Status shows what the state knows; the daemon's next check logs why the live certificate is unusable.
            return null;
        }
    }

    /// <summary>One certificate's status from its state (pure but for the configuration).</summary>
    public CertificateStatus Describe(ManagedCertificate certificate, CertificateState? state, DateTimeOffset now)
    {
        var decision = RenewalFacts.Plan(certificate, state, options.Renewal, now);
        var current = state?.Current;
        var targets = certificate.TargetNames
            .Select(name => Target(name, state?.Targets.GetValueOrDefault(name), current, now))
            .ToList();
        // What runs out first among what is served; with no targets the live files are what is served.
        var servedNotAfter = targets.Count == 0
            ? current?.NotAfter
            : Earliest(targets.Where(t => t.NotAfter is not null).Select(t => t.NotAfter!.Value));
        var unhindered = state?.Renewal is { ConsecutiveFailures: > 0 } failing
            ? state with { Renewal = failing with { ConsecutiveFailures = 0, RetryAfter = null } }
            : state;
        return new CertificateStatus(
            certificate.Name,
            certificate.Domains,
            certificate.AdHoc,
            current?.Serial,
            current?.NotAfter,
            current is null ? null : DaysUntil(current.NotAfter, now),
            decision.RenewAt,
            decision.ReasonName,
            decision.Explanation,
            state?.LastError?.Message ?? state?.Checks?.LastFailure,
            state?.LastError?.At ?? (state?.Checks?.LastFailure is null ? null : state.Checks.LastCheckAt),
            targets,
            current?.IssuedBy)
        {
            LastErrorKind = state?.LastError?.Kind,
            RenewalDueAt = DueAt(current, RenewalFacts.Plan(certificate, unhindered, options.Renewal, now).RenewAt, now),
            Ready = current is not null && current.RevokedAt is null && current.NotBefore <= now && now < current.NotAfter
                && targets.TrueForAll(t => t.HoldsCurrent),
            Version = current?.Version,
            KeyType = current?.KeyType ?? KeyTypeNames.ToName(certificate.KeyType),
            NotBefore = current?.NotBefore,
            Issuer = current?.DirectoryUrl.ToString(),
            Source = current is null ? null : current.Issuer ?? CertificateIssuers.Acme,
            Origin = current is null ? null : IssuerDescription.Describe(current, options.Acme),
            ServedNotAfter = servedNotAfter,
            ServedDaysLeft = servedNotAfter is { } at ? DaysUntil(at, now) : null,
            DeployRetryAt = DeployRetryPlan.NextAttempt(state, certificate.TargetNames, RenewalPolicy.Default with { CheckInterval = options.Renewal.CheckInterval }, now),
            LastCheckAt = state?.Checks?.LastCheckAt,
            FailingSince = state?.Checks?.FailingSince,
            FailedRuns = state?.Checks?.FailedRuns ?? 0,
            Files = CertificateFiles.In(Path.Combine(options.CertificateDirectory, "live", certificate.Name)),
        };
    }

    private static TargetStatus Target(string name, TargetState? target, CurrentCertificate? current, DateTimeOffset now)
    {
        var holdsCurrent = current is not null && target?.HeldSerial is { } held && string.Equals(held, current.Serial, StringComparison.OrdinalIgnoreCase);
        // Older state files know no not-after: the live version's is right when the target holds it.
        var notAfter = target?.HeldNotAfter ?? (holdsCurrent ? current!.NotAfter : null);
        return new TargetStatus(name, target?.HeldSerial, holdsCurrent, target?.Arn, target?.LastError?.Message, target?.LastSuccessAt)
        {
            NotAfter = notAfter,
            DaysLeft = notAfter is { } at ? DaysUntil(at, now) : null,
            LastAttemptAt = target?.LastAttemptAt,
            LastErrorAt = target?.LastError?.At,
            ConsecutiveFailures = target?.ConsecutiveFailures ?? 0,
        };
    }

    /// <summary>
    /// When the renewal is wanted, ignoring failure backoff: the planned moment while it lies ahead; once due, the
    /// lifetime rule's moment if earlier (a due plan says "now" at every check, which would hide how long it has been due).
    /// </summary>
    private static DateTimeOffset DueAt(CurrentCertificate? current, DateTimeOffset planned, DateTimeOffset now)
    {
        if (current is null || planned > now)
        {
            return planned;
        }

        var lifetime = current.NotAfter - current.NotBefore;
        var fraction = lifetime < RenewalPolicy.Default.ShortLifetimeThreshold ? 1.0 / 2 : 1.0 / 3;
        var byLifetime = current.NotAfter - (lifetime * fraction);
        return byLifetime < planned ? byLifetime : planned;
    }

    private static DateTimeOffset? Earliest(IEnumerable<DateTimeOffset> values)
    {
        DateTimeOffset? earliest = null;
        foreach (var value in values)
        {
            if (earliest is null || value < earliest)
            {
                earliest = value;
            }
        }

        return earliest;
    }

    private static double DaysUntil(DateTimeOffset at, DateTimeOffset now) => Math.Round((at - now).TotalDays, 2);
}
