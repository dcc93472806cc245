using System.CommandLine;
using CertDaemon.Renewal;

namespace CertDaemon.Cli;

/// <summary>
/// <c>certdaemon delete NAME [--purge]</c>: stop managing an ad-hoc certificate (its state is removed, so neither the
/// daemon nor <c>renew</c> touches it again); <c>--purge</c> also removes <c>live/NAME</c>, its version directories
/// and <c>archive/NAME</c>. A configured certificate is removed from the configuration file instead.
/// </summary>
internal static class DeleteCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var nameArgument = new Argument<string>("NAME") { Description = "The ad-hoc certificate to stop managing" };
        var purge = new Option<bool>("--purge") { Description = "Also remove the files CertDaemon wrote: live/NAME, its versions in archive/NAME, the version directories (an adopted certbot lineage keeps certbot's own files)" };
        var command = new Command("delete", "Stop managing an ad-hoc certificate (files kept unless --purge)") { nameArgument, purge };
        command.SetAction(ConfiguredAction.Create(error, async (parse, configuration, cancellationToken) =>
        {
            var name = parse.GetValue(nameArgument)!;
            var index = configuration.Options.Certificates.ToList().FindIndex(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
            if (index >= 0)
            {
                error.WriteLine($"certdaemon: '{name}' is configured in {configuration.SourcePath} ($.Certificates[{index}]): remove it there to stop managing it, then reload the daemon (systemctl reload certdaemon). Nothing was deleted.");
                return ExitCodes.Failed;
            }

            await using var environment = CommandEnvironment.Create(configuration, parse, output, error);
            var selected = await RenewCommand.SelectAsync([name], environment, cancellationToken);
            if (selected is null)
            {
                return ExitCodes.Usage;
            }

            var certificate = selected[0];
            IReadOnlyList<string> removed;
            try
            {
                removed = await environment.Get<CertificateLifecycle>().ForgetAsync(certificate.Name, parse.GetValue(purge), cancellationToken);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                return CommandFailure.Report(error, $"delete {certificate.Name}", exception, $"{certificate.Name} is still managed; run the command again to finish.");
            }

            output.WriteLine($"Stopped managing {certificate.Name}: it will not be renewed or deployed again.");
            foreach (var path in removed)
            {
                output.WriteLine($"  removed {path}");
            }

            var archive = Path.Combine(environment.Options.CertificateDirectory, "archive", certificate.Name);
            if (parse.GetValue(purge) && Directory.Exists(archive))
            {
                // An adopted certbot lineage: only what CertDaemon wrote went; certbot's versions are certbot's.
                output.WriteLine($"  kept what certbot wrote: {archive} (its versions) and live/{certificate.Name} as certbot left it; its renewal configuration is untouched");
            }

            if (!parse.GetValue(purge))
            {
                output.WriteLine($"  its files are kept in {environment.Options.CertificateDirectory}/live/{certificate.Name} and archive/{certificate.Name} (--purge removes them)");
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
