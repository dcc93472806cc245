using System.CommandLine;
using CertDaemon.Hosting;
using Microsoft.Extensions.Hosting;

namespace CertDaemon.Cli;

/// <summary>
/// <c>certdaemon run</c>: the daemon systemd starts. Never starts on an invalid configuration (exit 78, every problem
/// printed); otherwise runs until SIGTERM/SIGINT and exits 0. SIGHUP reloads the configuration. One daemon per state
/// directory: a second one exits 1 naming the lock and the pid that holds it.
/// </summary>
internal static class RunCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("run", "Run the daemon: schedule checks, renew, deploy (what systemd starts)");
        command.SetAction(ConfiguredAction.Create(error, async (parse, configuration, cancellationToken) =>
        {
            DaemonInstanceLock instance;
            try
            {
                instance = await DaemonInstanceLock.AcquireAsync(configuration.Options.StateDirectory, TimeProvider.System, cancellationToken);
            }
            catch (DaemonAlreadyRunningException running)
            {
                error.WriteLine($"certdaemon run: {running.Message}");
                return ExitCodes.Failed;
            }

            using var held = instance;
            using var host = DaemonHost.Build(configuration, CliRoot.ParseLogFormat(parse), parse.GetValue(CliRoot.VerboseOption));
            await host.RunAsync(cancellationToken);
            return ExitCodes.Success;
        }));
        return command;
    }
}
