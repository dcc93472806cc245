using System.CommandLine;
using CertDaemon.Monitoring;
using CertDaemon.Renewal;
using CertDaemon.Storage;

namespace CertDaemon.Cli;

/// <summary>
/// <c>certdaemon metrics</c>: prints the Prometheus text exposition the daemon exports (textfile and listener), from the
/// state files. Read-only like <c>status</c>: works for a monitoring user in the state directory's group.
/// </summary>
internal static class MetricsCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("metrics", "Print the Prometheus metrics (text exposition format) and exit");
        command.SetAction(ConfiguredAction.Create(error, async (_, configuration, cancellationToken) =>
        {
            var options = configuration.Options;
            var time = TimeProvider.System;
            var states = new CertificateStateStore(options.StateDirectory, time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            var reader = new CertificateStatusReader(options, new ManagedCertificateCatalog(options, states), states, time);
            try
            {
                output.Write(await MetricsExposition.RenderAsync(await reader.ReadAsync(cancellationToken), cancellationToken));
            }
            catch (Exception e) when (e is CertificateStoreException or IOException or UnauthorizedAccessException)
            {
                return CommandFailure.Report(error, "metrics", e, "Nothing was changed (metrics only reads).");
            }

            return ExitCodes.Success;
        }, readOnly: true));
        return command;
    }
}
