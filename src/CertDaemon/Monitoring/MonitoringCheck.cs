using System.Globalization;
using CertDaemon.Renewal;

namespace CertDaemon.Monitoring;

/// <summary>
/// <c>certdaemon status --check</c>: judges every certificate's status with thresholds that are fractions of that
/// certificate's own lifetime, never day counts, so a 6-day certificate and a 90-day one are judged alike. Pure.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>CRITICAL: anything served (each target's own certificate, or the live files when there is no target) has
/// expired or has less than <see cref="CriticalFraction"/> of the lifetime left; or no certificate exists and the
/// last attempt failed.</item>
/// <item>WARNING: a target does not hold the live version; the renewal is overdue (more than
/// <see cref="OverdueFraction"/> of the lifetime past the moment the schedule wanted it, ignoring failure backoff);
/// or no certificate was issued yet.</item>
/// </list>
/// </remarks>
internal static class MonitoringCheck
{
    /// <summary>Less than this fraction of the lifetime left on anything served is CRITICAL. The value is 1/10.</summary>
    public const double CriticalFraction = 0.1;

    /// <summary>A renewal this fraction of the lifetime past its due moment is overdue (WARNING). The value is 1/50
    /// (1.8 days of a 90-day certificate, 2.9 hours of a 6-day one): long enough for the backoff retries, short
    /// enough to leave most of the remaining lifetime for a person.</summary>
    public const double OverdueFraction = 0.02;

    public static MonitoringVerdict Evaluate(IReadOnlyList<CertificateStatus> statuses, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        var problems = statuses.SelectMany(s => Judge(s, now)).OrderByDescending(p => p.State).ToList();
        var state = problems.Count == 0 ? MonitoringState.Ok : problems[0].State;
        var performance = string.Join(' ', statuses
            .Where(s => s.ServedDaysLeft is not null)
            .Select(s => string.Create(CultureInfo.InvariantCulture, $"'{s.Name}_days_left'={s.ServedDaysLeft:0.##}")));
        string summary;
        if (statuses.Count == 0)
        {
            summary = "no certificates configured";
        }
        else if (problems.Count == 0)
        {
            var first = statuses.Where(s => s.ServedNotAfter is not null).MinBy(s => s.ServedNotAfter);
            summary = string.Create(CultureInfo.InvariantCulture,
                $"{statuses.Count} certificate{(statuses.Count == 1 ? "" : "s")} live and deployed{(first is null ? "" : $"; first to expire: {first.Name} in {first.ServedDaysLeft:0.#} days")}");
        }
        else
        {
            summary = string.Join("; ", problems.Select(p => $"{p.CertificateName}: {p.Message}"));
        }

        var line = $"CERTDAEMON {Label(state)}: {summary}" + (performance.Length == 0 ? "" : " | " + performance);
        return new MonitoringVerdict(state, line, problems);
    }

    /// <summary>The verdict when the status cannot be read at all (configuration invalid, state unreadable).</summary>
    public static MonitoringVerdict Unknown(string reason) =>
        new(MonitoringState.Unknown, $"CERTDAEMON UNKNOWN: {reason}", [new MonitoringProblem("", MonitoringState.Unknown, reason)]);

    public static string Label(MonitoringState state) => state.ToString().ToUpperInvariant();

    private static IEnumerable<MonitoringProblem> Judge(CertificateStatus status, DateTimeOffset now)
    {
        if (status.Serial is null || status.NotAfter is not { } notAfter || status.NotBefore is not { } notBefore)
        {
            yield return status.LastError is { } error
                ? new MonitoringProblem(status.Name, MonitoringState.Critical, $"no certificate; last attempt failed: {FirstLine(error)}")
                : new MonitoringProblem(status.Name, MonitoringState.Warning, "no certificate issued yet");
            yield break;
        }

        foreach (var problem in status.LiveProblems)
        {
            // nginx's next reload or restart reads these paths.
            yield return new MonitoringProblem(status.Name, MonitoringState.Critical, $"live files broken: {problem}");
        }

        var lifetime = notAfter - notBefore;
        var served = status.Targets.Count == 0
            ? [(What: "the live certificate", Serial: status.Serial, NotAfter: (DateTimeOffset?)notAfter)]
            : status.Targets.Select(t => (What: t.Target, t.Serial, t.NotAfter)).ToList();
        if (status.Targets.Count > 0)
        {
            // The live files themselves: a reader of live/ (another service, a reboot of nginx) gets them.
            served.Add(("the live certificate", status.Serial, notAfter));
        }

        foreach (var (what, serial, servedNotAfter) in served)
        {
            if (servedNotAfter is not { } at)
            {
                continue;
            }

            var left = at - now;
            if (left <= TimeSpan.Zero)
            {
                yield return new MonitoringProblem(status.Name, MonitoringState.Critical,
                    $"{what} ({serial}) EXPIRED at {Format(at)}");
            }
            else if (left < lifetime * CriticalFraction)
            {
                yield return new MonitoringProblem(status.Name, MonitoringState.Critical, string.Create(CultureInfo.InvariantCulture,
                    $"{what} ({serial}) expires in {left.TotalDays:0.##} days, less than 1/10 of its {lifetime.TotalDays:0.#}-day lifetime"));
            }
        }

        foreach (var target in status.Targets.Where(t => !t.HoldsCurrent))
        {
            var holds = target.Serial is null ? "holds nothing known" : $"holds {target.Serial}";
            var cause = target.LastError is { } error ? $" ({FirstLine(error)})" : "";
            yield return new MonitoringProblem(status.Name, MonitoringState.Warning, $"{target.Target} {holds}, not the live version {status.Serial}{cause}");
        }

        if (now - status.RenewalDueAt > lifetime * OverdueFraction)
        {
            var cause = status.LastError is { } error ? $"; last error: {FirstLine(error)}" : "";
            yield return new MonitoringProblem(status.Name, MonitoringState.Warning, $"renewal overdue since {Format(status.RenewalDueAt)}{cause}");
        }
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOf('\n', StringComparison.Ordinal);
        return end < 0 ? text : text[..end];
    }

    private static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
