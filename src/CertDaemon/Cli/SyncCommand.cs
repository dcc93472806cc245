using System.CommandLine;
using CertDaemon.Deployment;
using CertDaemon.Fleet;

namespace CertDaemon.Cli;

/// <summary>
/// <c>certdaemon sync [NAME...]</c> (fleet mode): pull every certificate's current version from the fleet store,
/// verify it, install it in the certbot layout and deploy it, then exit. Run before nginx starts on a new instance
/// (<c>certdaemon-sync.service</c>), so nginx finds its certificates.
/// </summary>
/// <remarks>
/// Exit 0 when every certificate's live files are the fleet's version (or the fleet has none yet); a deploy target
/// that could not take it (nginx not running yet at first boot) is reported and left to the daemon, which retries
/// it. Exit 1 when the store could not be read or a version could not be verified or installed: nothing already
/// installed was replaced.
/// </remarks>
internal static class SyncCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var names = new Argument<string[]>("NAME") { Description = "Certificates to sync (default: all)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("sync", "Fleet mode: install every certificate's current version from the fleet store, then exit") { names };
        command.SetAction(ConfiguredAction.Create(error, async (parse, configuration, cancellationToken) =>
        {
            if (configuration.Options.Fleet is null)
            {
                error.WriteLine($"certdaemon: sync needs fleet mode: {configuration.SourcePath} has no Fleet section (see docs/fleet.md).");
                return ExitCodes.Usage;
            }

            await using var environment = CommandEnvironment.Create(configuration, parse, output, error);
            var selected = await RenewCommand.SelectAsync(parse.GetValue(names) ?? [], environment, cancellationToken);
            if (selected is null)
            {
                return ExitCodes.Usage;
            }

            await StoreRecovery.RunAsync(environment, selected.Select(c => c.Name), cancellationToken);
            return await SyncAsync(selected, environment, cancellationToken);
        }));
        return command;
    }

    private static async Task<int> SyncAsync(IReadOnlyList<Renewal.ManagedCertificate> certificates, CommandEnvironment environment, CancellationToken cancellationToken)
    {
        var output = environment.Output;
        var store = environment.Get<IFleetObjectStore>();
        var synchronizer = environment.Get<FleetSynchronizer>();
        int installed = 0, current = 0, missing = 0, failed = 0;
        try
        {
            await environment.Get<FleetAccountKeys>().EnsureSharedAsync(cancellationToken);
        }
        catch (FleetStoreException e)
        {
            environment.Error.WriteLine($"certdaemon: sync failed: {e.Message}");
            return ExitCodes.Failed;
        }

        foreach (var certificate in certificates)
        {
            FleetSyncResult result;
            try
            {
                result = await synchronizer.SyncAsync(certificate, cancellationToken);
            }
            catch (Exception e) when (e is FleetStoreException or Storage.CertificateMaterialException or Storage.CertificateStoreException)
            {
                environment.Error.WriteLine($"certdaemon: {certificate.Name}: not synced: {e.Message} The installed files (if any) are unchanged.");
                failed++;
                continue;
            }

            switch (result)
            {
                case FleetSyncResult.Installed done:
                    installed++;
                    output.WriteLine($"{certificate.Name}: installed version {done.Manifest.Version} (serial {done.Manifest.Serial}, expires {done.Manifest.NotAfter:u}) from {store.Location}");
                    foreach (var deployment in done.Outcome.Deployments)
                    {
                        var line = deployment is DeploymentResult.Failed
                            ? $"  {deployment.Target}: not deployed yet ({deployment.Message}); the daemon retries it"
                            : $"  {deployment.Target}: {deployment.Message}";
                        output.WriteLine(line);
                    }

                    break;
                case FleetSyncResult.Current now:
                    current++;
                    output.WriteLine($"{certificate.Name}: already the fleet's version{(now.Manifest is { } m ? $" {m.Version} (serial {m.Serial})" : "")}");
                    break;
                case FleetSyncResult.Missing:
                    missing++;
                    output.WriteLine($"{certificate.Name}: not in {store.Location} yet (the first instance's daemon issues it)");
                    break;
                case FleetSyncResult.Skipped skipped:
                    failed++;
                    environment.Error.WriteLine($"certdaemon: {certificate.Name}: not installed: {skipped.Why}");
                    break;
            }
        }

        FleetLog.SyncFinished(environment.Get<Microsoft.Extensions.Logging.ILogger<FleetSynchronizer>>(), installed, current, missing, failed);
        return failed == 0 ? ExitCodes.Success : ExitCodes.Failed;
    }
}
