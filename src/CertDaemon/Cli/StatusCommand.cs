using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CertDaemon.Monitoring;
using CertDaemon.Renewal;
using CertDaemon.Storage;

namespace CertDaemon.Cli;

/// <summary>
/// <c>certdaemon status [NAME] [--json] [--check]</c>: per certificate, the live version, when it renews and why, and
/// what each target actually holds. Read-only (no lock, no write, no network): a monitoring user in the state
/// directory's group can run it while the daemon works.
/// </summary>
internal static class StatusCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var name = new Argument<string?>("NAME") { Description = "One certificate (default: all)", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Machine-readable output (the same facts as the table)" };
        var check = new Option<bool>("--check")
        {
            Description = "Monitoring-plugin output: one line; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (thresholds relative to each certificate's lifetime)",
        };
        var command = new Command("status", "Show every certificate: names, serial, expiry, files, next renewal and why, last error, what each target holds")
        {
            name, json, check,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var asCheck = parse.GetValue(check);
            var configuration = await ConfiguredAction.LoadAsync(parse.GetValue(CliRoot.ConfigOption), asCheck ? TextWriter.Null : error, readOnly: true, cancellationToken);
            if (configuration is null)
            {
                return asCheck ? Print(MonitoringCheck.Unknown("the configuration is invalid (run certdaemon config check)"), output) : ExitCodes.Configuration;
            }

            var options = configuration.Options;
            var time = TimeProvider.System;
            var reader = ReadOnlyStatusReader.Create(options, time);
            IReadOnlyList<CertificateStatus> statuses;
            try
            {
                statuses = await reader.ReadAsync(cancellationToken);
            }
            catch (Exception e) when (e is CertificateStoreException or IOException or UnauthorizedAccessException)
            {
                return asCheck
                    ? Print(MonitoringCheck.Unknown($"cannot read the state in {options.StateDirectory}: {e.Message}"), output)
                    : CommandFailure.Report(error, "status", e, "Nothing was changed (status only reads).");
            }

            if (parse.GetValue(name) is { } only)
            {
                statuses = [.. statuses.Where(s => string.Equals(s.Name, only, StringComparison.OrdinalIgnoreCase))];
                if (statuses.Count == 0)
                {
                    if (asCheck)
                    {
                        return Print(MonitoringCheck.Unknown($"no certificate named '{only}'"), output);
                    }

                    error.WriteLine($"certdaemon status: no certificate named '{only}'");
                    return ExitCodes.Usage;
                }
            }

            if (asCheck)
            {
                return Print(MonitoringCheck.Evaluate(statuses, time.GetUtcNow()), output);
            }

            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(statuses, StatusJsonContext.Default.IReadOnlyListCertificateStatus));
            }
            else
            {
                // Rendered whole, then written in one call: a few writes to the terminal or pipe instead of ten per certificate.
                var table = new StringWriter(CultureInfo.InvariantCulture);
                WriteTable(statuses, table, time.GetUtcNow());
                output.Write(table.ToString());
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static int Print(MonitoringVerdict verdict, TextWriter output)
    {
        output.WriteLine(verdict.Line);
        return verdict.ExitCode;
    }

    internal static void WriteTable(IReadOnlyList<CertificateStatus> statuses, TextWriter output, DateTimeOffset now)
    {
        if (statuses.Count == 0)
        {
            output.WriteLine("No certificates configured or remembered.");
            return;
        }

        foreach (var s in statuses)
        {
            output.WriteLine($"{s.Name}{(s.AdHoc ? " (ad-hoc)" : "")}");
            output.WriteLine($"  domains:      {string.Join(", ", s.Domains)}");
            if (s.Serial is null && s.LastErrorKind == CertificateStatusReader.UnreadableStateKind)
            {
                output.WriteLine("  certificate:  unknown (its state file cannot be read: see last error)");
            }
            else if (s.Serial is null)
            {
                output.WriteLine("  certificate:  none issued yet");
            }
            else
            {
                var state = s.Ready ? "live, every target holds it" : "live, NOT held by every target";
                output.WriteLine($"  serial:       {s.Serial} (version {s.Version}, {s.KeyType}; {state})");
                output.WriteLine($"  issuer:       {s.Issuer}");
                output.WriteLine($"  source:       {s.Source} {s.Origin}");
                output.WriteLine($"  not after:    {Format(s.NotAfter!.Value)} ({Days(s.DaysLeft!.Value)} days left)");
                if (s.IssuedBy is not null)
                {
                    output.WriteLine($"  issued by:    {s.IssuedBy} (live in the lineage, not written by CertDaemon; CertDaemon plans its renewal from it)");
                }
            }

            output.WriteLine($"  files:        {s.Files.FullChain}, {s.Files.PrivateKey}");
            foreach (var problem in s.LiveProblems)
            {
                output.WriteLine($"  live files:   BROKEN: {problem} (the next check restores what it can: certdaemon renew {s.Name})");
            }

            var when = s.NextRenewal <= now ? "now" : Format(s.NextRenewal);
            output.WriteLine($"  next renewal: {when} ({s.NextRenewalReason}: {s.NextRenewalExplanation})");
            if (s.DeployRetryAt is { } retry)
            {
                output.WriteLine($"  deploy retry: {(retry <= now ? "at the next check" : Format(retry))} (targets that do not hold the live version)");
            }

            if (s.LastError is not null)
            {
                output.WriteLine($"  last error:   {(s.LastErrorAt is { } at ? Format(at) + " " : "")}{s.LastError}");
            }

            foreach (var target in s.Targets)
            {
                var holds = target.Serial is null ? "nothing known" : target.Serial + (target.HoldsCurrent ? " (current)" : " (NOT current)");
                var expiry = target.NotAfter is { } notAfter ? $", not after {Format(notAfter)} ({Days(target.DaysLeft!.Value)} days left)" : "";
                var arn = target.Arn is null ? "" : $" {target.Arn}";
                var problem = target.LastError is null ? "" : $"; last error: {target.LastError}";
                output.WriteLine($"  {target.Target + ":",-13} {holds}{expiry}{arn}{problem}");
            }

            output.WriteLine();
        }
    }

    private static string Days(double days) => days.ToString("F1", CultureInfo.InvariantCulture);

    private static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
