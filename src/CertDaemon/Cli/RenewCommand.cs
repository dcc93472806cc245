using System.CommandLine;
using CertDaemon.Renewal;

namespace CertDaemon.Cli;

/// <summary>
/// <c>certdaemon renew [NAME...] [--force] [--dry-run]</c>: renew what is due (all, or the named ones) exactly as the
/// daemon would; <c>--force</c> ignores the schedule; <c>--dry-run</c> issues against the staging directory (or
/// <c>Acme.DryRunDirectoryUrl</c>) and writes nothing live.
/// </summary>
internal static class RenewCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var names = new Argument<string[]>("NAME") { Description = "Certificates to renew (default: all)", Arity = ArgumentArity.ZeroOrMore };
        var force = new Option<bool>("--force") { Description = "Renew now, whatever the schedule says" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Issue against the staging directory, verify, and discard: nothing live changes" };
        var command = new Command("renew", "Renew what is due (all, or the named certificates)") { names, force, dryRun };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = CommandEnvironment.LoadConfiguration(parse.GetValue(CliRoot.ConfigOption), error);
            if (configuration is null)
            {
                return ExitCodes.Configuration;
            }

            await using var environment = CommandEnvironment.Create(configuration, CliRoot.ParseLogFormat(parse), output, error);
            var selected = await CertificateSelection.SelectAsync(
                environment.Get<ManagedCertificateCatalog>(), parse.GetValue(names) ?? [], "renew", error, cancellationToken);
            if (selected is null)
            {
                return ExitCodes.Usage;
            }

            return parse.GetValue(dryRun)
                ? await DryRunAsync(selected, environment, cancellationToken)
                : await RenewAsync(selected, parse.GetValue(force), environment, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RenewAsync(IReadOnlyList<ManagedCertificate> certificates, bool force, CommandEnvironment environment, CancellationToken cancellationToken)
    {
        var coordinator = environment.Get<RenewalCoordinator>();
        var failed = 0;
        foreach (var certificate in certificates)
        {
            var outcome = await coordinator.CheckAsync(certificate, force, cancellationToken);
            if (outcome.Error is { } error)
            {
                failed++;
                environment.Error.WriteLine($"certdaemon: renewing {certificate.Name} failed: {error.Message}");
                environment.Error.WriteLine($"  the live certificate and every deploy target are as they were; next attempt at {outcome.NextCheckAt:yyyy-MM-dd HH:mm} UTC");
                continue;
            }

            if (outcome.Lifecycle?.Issued is { } issued)
            {
                environment.Output.WriteLine($"{certificate.Name}: renewed ({outcome.Decision.ReasonName}): serial {issued.SerialHex}, valid until {issued.NotAfter:yyyy-MM-dd HH:mm} UTC");
            }
            else
            {
                environment.Output.WriteLine(
                    $"{certificate.Name}: not due; renews at {outcome.Decision.RenewAt:yyyy-MM-dd HH:mm} UTC ({outcome.Decision.ReasonName}: {outcome.Decision.Explanation})");
            }

            foreach (var deployment in outcome.Lifecycle?.Deployments ?? [])
            {
                var line = $"  {deployment.Target}: {deployment.Message}";
                if (deployment is Deployment.DeploymentResult.Failed)
                {
                    failed++;
                    environment.Error.WriteLine(line);
                }
                else
                {
                    environment.Output.WriteLine(line);
                }
            }
        }

        return failed == 0 ? ExitCodes.Success : ExitCodes.Failed;
    }

    private static async Task<int> DryRunAsync(IReadOnlyList<ManagedCertificate> certificates, CommandEnvironment environment, CancellationToken cancellationToken)
    {
        var directory = environment.Options.Acme.EffectiveDryRunDirectoryUrl;
        var lifecycle = environment.Get<CertificateLifecycle>();
        var failed = 0;
        foreach (var certificate in certificates)
        {
            try
            {
                var issued = await lifecycle.DryRunAsync(certificate, directory, cancellationToken);
                environment.Output.WriteLine($"{certificate.Name}: dry run ok at {directory}: serial {issued.SerialHex} issued, verified and discarded; nothing live changed");
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                failed++;
                CommandFailure.Report(environment.Error, $"dry run of {certificate.Name}", exception, "Nothing live was changed.");
            }
        }

        return failed == 0 ? ExitCodes.Success : ExitCodes.Failed;
    }
}
