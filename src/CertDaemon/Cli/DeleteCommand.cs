using System.CommandLine;
using CertDaemon.Renewal;
using CertDaemon.Storage;

namespace CertDaemon.Cli;

/// <summary><c>certdaemon delete NAME [--purge]</c>: stop managing an ad-hoc certificate (files kept unless --purge).</summary>
internal static class DeleteCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var name = new Argument<string>("NAME") { Description = "The certificate to stop managing" };
        var purge = new Option<bool>("--purge") { Description = "Also remove live/NAME and archive/NAME (nginx must no longer point at them)" };
        var command = new Command("delete", "Stop managing a certificate (files are kept unless --purge)") { name, purge };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = CommandEnvironment.LoadConfiguration(parse.GetValue(CliRoot.ConfigOption), error);
            if (configuration is null)
            {
                return ExitCodes.Configuration;
            }

            await using var environment = CommandEnvironment.Create(configuration, CliRoot.ParseLogFormat(parse), output, error);
            var selected = await CertificateSelection.SelectAsync(environment.Get<ManagedCertificateCatalog>(), [parse.GetValue(name)!], "delete", error, cancellationToken);
            if (selected is not [var certificate])
            {
                return ExitCodes.Usage;
            }

            if (!certificate.AdHoc)
            {
                error.WriteLine($"certdaemon delete: {certificate.Name} comes from {configuration.SourcePath}; remove it there (and reload the daemon) to stop managing it");
                return ExitCodes.Usage;
            }

            try
            {
                await environment.Get<CertificateStateStore>().DeleteAsync(certificate.Name, cancellationToken);
                var purged = parse.GetValue(purge) && await environment.Get<CertificateStore>().PurgeAsync(certificate.Name, cancellationToken);
                output.WriteLine(purged
                    ? $"Deleted {certificate.Name}: no longer renewed; its live and archive files were removed."
                    : $"Deleted {certificate.Name}: no longer renewed; its files stay in {environment.Get<CertificateStore>().LivePath(certificate.Name)} (use --purge to remove them).");
                return ExitCodes.Success;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return CommandFailure.Report(error, $"delete {certificate.Name}", exception, "Whatever was not removed is still in place.");
            }
        });
        return command;
    }
}
