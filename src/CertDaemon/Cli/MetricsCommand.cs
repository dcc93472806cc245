using System.CommandLine;
using CertDaemon.Monitoring;
using CertDaemon.Storage;

namespace CertDaemon.Cli;

/// <summary>
/// <c>certdaemon metrics</c>: prints the Prometheus text exposition the daemon exports (textfile and listener), from the
/// state files and the live files behind them (<see cref="ReadOnlyStatusReader"/>, as <c>status</c>). Read-only like
/// <c>status</c>: works for a monitoring user in the state directory's group.
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
            // The same reader as status: a broken live file makes the certificate not ready here too.
            var reader = ReadOnlyStatusReader.Create(options, time);
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
