using CertDaemon.Renewal;
using Prometheus;

namespace CertDaemon.Monitoring;

/// <summary>
/// The Prometheus text exposition of every certificate's status, rendered with prometheus-net (escaping, HELP/TYPE
/// lines, number format) into a fresh registry each time: the values come from the state files, which the daemon, the
/// CLI and other processes all update, so nothing is kept in memory between renders and a deleted certificate simply
/// disappears. Names follow cert-manager's, prefixed <c>certdaemon_</c>.
/// </summary>
internal static class MetricsExposition
{
    /// <summary>The families every exposition declares, in order (tests and docs check this list against the contract).</summary>
    public static readonly IReadOnlyList<string> Families =
    [
        "certdaemon_certificate_expiration_timestamp_seconds",
        "certdaemon_certificate_not_before_timestamp_seconds",
        "certdaemon_certificate_renewal_timestamp_seconds",
        "certdaemon_certificate_ready_status",
        "certdaemon_target_expiration_timestamp_seconds",
        "certdaemon_target_current",
        "certdaemon_renewal_failures_total",
        "certdaemon_last_check_timestamp_seconds",
    ];

    /// <summary>The exposition (text format 0.0.4) of <paramref name="statuses"/>.</summary>
    public static async Task<string> RenderAsync(IReadOnlyList<CertificateStatus> statuses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        var registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(registry);
        var expiration = Gauge(factory, Families[0], "The not-after of the live certificate (unix seconds); absent before the first.", "name");
        var notBefore = Gauge(factory, Families[1], "The not-before of the live certificate (unix seconds).", "name");
        var renewal = Gauge(factory, Families[2], "The planned renewal moment, not moved by failure backoff (unix seconds).", "name");
        var ready = Gauge(factory, Families[3],
            "1 for the condition that holds: True when the live certificate is valid and every deploy target holds it, else False.", "name", "condition");
        var targetExpiration = Gauge(factory, Families[4],
            "The not-after of what each deploy target actually holds or serves (unix seconds); an older certificate while it refuses the live one.", "name", "target");
        var targetCurrent = Gauge(factory, Families[5], "1 when the deploy target holds the live version, else 0.", "name", "target");
        var failures = factory.CreateCounter(Families[6], "Failed renewal or deployment runs.", new CounterConfiguration { LabelNames = ["name"] });
        var lastCheck = Gauge(factory, Families[7], "When the certificate was last checked (unix seconds).", "name");

        foreach (var status in statuses)
        {
            if (status.NotAfter is { } notAfter)
            {
                expiration.WithLabels(status.Name).Set(notAfter.ToUnixTimeSeconds());
            }

            if (status.NotBefore is { } from && status.Serial is not null)
            {
                notBefore.WithLabels(status.Name).Set(from.ToUnixTimeSeconds());
            }

            // The moment the schedule wants, which failure backoff does not move: an overdue renewal stays in the past.
            renewal.WithLabels(status.Name).Set(status.RenewalDueAt.ToUnixTimeSeconds());
            ready.WithLabels(status.Name, "True").Set(status.Ready ? 1 : 0);
            ready.WithLabels(status.Name, "False").Set(status.Ready ? 0 : 1);
            foreach (var target in status.Targets)
            {
                if (target.NotAfter is { } held)
                {
                    targetExpiration.WithLabels(status.Name, target.Target).Set(held.ToUnixTimeSeconds());
                }

                targetCurrent.WithLabels(status.Name, target.Target).Set(target.HoldsCurrent ? 1 : 0);
            }

            failures.WithLabels(status.Name).IncTo(status.FailedRuns);
            if (status.LastCheckAt is { } checkedAt)
            {
                lastCheck.WithLabels(status.Name).Set(checkedAt.ToUnixTimeSeconds());
            }
        }

        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream, cancellationToken);
        return System.Text.Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static Gauge Gauge(IMetricFactory factory, string name, string help, params string[] labels) =>
        factory.CreateGauge(name, help, new GaugeConfiguration { LabelNames = labels });
}
