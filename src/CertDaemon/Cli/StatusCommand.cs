using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CertDaemon.Renewal;
using CertDaemon.Storage;

namespace CertDaemon.Cli;

/// <summary><c>certdaemon status [--json]</c>: per certificate, what is live, when it renews and why, and what each target holds.</summary>
internal static class StatusCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var json = new Option<bool>("--json") { Description = "Machine-readable output (the same facts as the table)" };
        var command = new Command("status", "Show every certificate: names, serial, expiry, next renewal and why, last error, deploy targets") { json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = CommandEnvironment.LoadConfiguration(parse.GetValue(CliRoot.ConfigOption), error);
            if (configuration is null)
            {
                return ExitCodes.Configuration;
            }

            var options = configuration.Options;
            var time = TimeProvider.System;
            // Read-only: no service graph, no network; a status must work while the CA or AWS is down.
            var states = new CertificateStateStore(options.StateDirectory, time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
            {
                RebuildFromLiveFiles = new LiveStateRebuilder(options, new CertificateStore(
                    options.CertificateDirectory, new CertificateStoreOptions(), time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)).Rebuild,
            };
            var reader = new CertificateStatusReader(options, new ManagedCertificateCatalog(options, states), states, time);
            var statuses = await reader.ReadAsync(cancellationToken);
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(statuses, StatusJsonContext.Default.IReadOnlyListCertificateStatus));
            }
            else
            {
                WriteTable(statuses, output, time.GetUtcNow());
            }

            return ExitCodes.Success;
        });
        return command;
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
                output.WriteLine($"  serial:       {s.Serial}");
                output.WriteLine($"  not after:    {Format(s.NotAfter!.Value)} ({s.DaysLeft!.Value.ToString("F1", CultureInfo.InvariantCulture)} days left)");
            }

            var when = s.NextRenewal <= now ? "now" : Format(s.NextRenewal);
            output.WriteLine($"  next renewal: {when} ({s.NextRenewalReason}: {s.NextRenewalExplanation})");
            if (s.LastError is not null)
            {
                output.WriteLine($"  last error:   {Format(s.LastErrorAt!.Value)} {s.LastError}");
            }

            foreach (var target in s.Targets)
            {
                var holds = target.Serial is null ? "nothing" : target.Serial + (target.HoldsCurrent ? " (current)" : " (NOT current)");
                var arn = target.Arn is null ? "" : $" {target.Arn}";
                var problem = target.LastError is null ? "" : $"; last error: {target.LastError}";
                output.WriteLine($"  {target.Target + ":",-13} {holds}{arn}{problem}");
            }

            output.WriteLine();
        }
    }

    private static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
