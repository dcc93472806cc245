using System.CommandLine;
using System.Globalization;
using CertDaemon.Renewal;

namespace CertDaemon.Cli;

/// <summary>
/// <c>certdaemon renew [NAME...] [--force] [--dry-run]</c>: renew what is due (all, or the named certificates) through
/// the daemon's own <see cref="RenewalCoordinator"/>. <c>--force</c> ignores the schedule. <c>--dry-run</c> issues
/// against the staging (or configured test) directory, verifies and discards: nothing live changes.
/// </summary>
internal static class RenewCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var names = new Argument<string[]>("NAME") { Description = "Certificates to renew (default: all)", Arity = ArgumentArity.ZeroOrMore };
        var force = new Option<bool>("--force") { Description = "Renew now, whatever the schedule says" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Issue against the staging directory (Acme.DryRunDirectoryUrl), verify, discard: nothing live changes" };
        var command = new Command("renew", "Renew the certificates that are due (or all named ones with --force)") { names, force, dryRun };
        command.SetAction(ConfiguredAction.WithEnvironment(output, error, async (parse, environment, cancellationToken) =>
        {
            var selected = await SelectAsync(parse.GetValue(names) ?? [], environment, cancellationToken);
            if (selected is null)
            {
                return ExitCodes.Usage;
            }

            if (selected.Count == 0)
            {
                output.WriteLine("No certificates configured or remembered: nothing to renew.");
                return ExitCodes.Success;
            }

            return parse.GetValue(dryRun)
                ? await DryRunAsync(selected, environment, cancellationToken)
                : await RenewAsync(selected, parse.GetValue(force), environment, cancellationToken);
        }));
        return command;
    }

    /// <summary>The named certificates (all when none are named); null after printing a usage error for unknown names.</summary>
    internal static async Task<IReadOnlyList<ManagedCertificate>?> SelectAsync(string[] names, CommandEnvironment environment, CancellationToken cancellationToken)
    {
        var all = await environment.Get<ManagedCertificateCatalog>().ListAsync(cancellationToken);
        if (names.Length == 0)
        {
            return all;
        }

        var selected = new List<ManagedCertificate>();
        foreach (var name in names.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var certificate = all.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
            if (certificate is null)
            {
                environment.Error.WriteLine($"certdaemon: no certificate named '{name}' (known: {(all.Count == 0 ? "none" : string.Join(", ", all.Select(c => c.Name)))})");
                return null;
            }

            selected.Add(certificate);
        }

        return selected;
    }

    private static async Task<int> RenewAsync(IReadOnlyList<ManagedCertificate> certificates, bool force, CommandEnvironment environment, CancellationToken cancellationToken)
    {
        // Before anything reads the live files: a renewal killed mid-switch is finished or undone even when nothing is due.
        await StoreRecovery.RunAsync(environment, certificates.Select(c => c.Name), cancellationToken);
        var coordinator = environment.Get<RenewalCoordinator>();
        var output = environment.Output;
        var failed = new List<string>();
        var untouched = new List<string>();
        foreach (var certificate in certificates)
        {
            RenewalCheckResult result;
            try
            {
                result = await coordinator.CheckAsync(certificate, force, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Even the failure could not be recorded (a full or read-only state directory): say so, go on with the others.
                CommandFailure.Report(environment.Error, $"renew {certificate.Name}", exception,
                    $"  the live certificate of {certificate.Name} and its deploy targets are as the files show; its state could not be recorded.");
                failed.Add(certificate.Name);
                continue;
            }

            switch (result.Outcome)
            {
                case RenewalCheckOutcome.NotDue when result.DeferredBecause is { } deferred:
                    output.WriteLine($"{certificate.Name}: not renewed here: {deferred}");
                    untouched.Add(certificate.Name);
                    break;
                case RenewalCheckOutcome.NotDue:
                    output.WriteLine($"{certificate.Name}: not due; renewal planned at {Format(result.Decision.RenewAt)} ({result.Decision.ReasonName}: {result.Decision.Explanation})");
                    untouched.Add(certificate.Name);
                    if (result.Lifecycle is { } retried)
                    {
                        output.WriteLine($"{certificate.Name}: retried the deploy targets that did not hold the current certificate:");
                        IssueCommand.Report(retried, environment, output, environment.Error);
                    }

                    if (result.Error is { } deployError)
                    {
                        environment.Error.WriteLine($"certdaemon: retrying the deployment of {certificate.Name} failed: {deployError.Message}");
                        environment.Error.WriteLine($"  next attempt at {Format(result.NextCheckAt)}");
                    }

                    break;
                case RenewalCheckOutcome.NotDeployed:
                    // Never "renewed": a target still serves the previous certificate, which keeps running out.
                    output.WriteLine($"{certificate.Name}: issued serial {result.Lifecycle!.Issued?.SerialHex} ({result.Decision.ReasonName}) but NOT deployed everywhere");
                    IssueCommand.Report(result.Lifecycle, environment, output, environment.Error);
                    environment.Error.WriteLine($"certdaemon: {result.Error!.Message}");
                    environment.Error.WriteLine($"  the failed targets keep what they had; they are retried at {Format(result.NextCheckAt)} without ordering a new certificate");
                    break;
                case RenewalCheckOutcome.Renewed:
                    output.WriteLine($"{certificate.Name}: renewed ({result.Decision.ReasonName}); next renewal planned at {Format(result.NextPlan.RenewAt)} ({result.NextPlan.ReasonName})");
                    IssueCommand.Report(result.Lifecycle!, environment, output, environment.Error);
                    break;
                case RenewalCheckOutcome.Failed:
                    environment.Error.WriteLine($"certdaemon: renewing {certificate.Name} failed: {result.Error!.Message}");
                    for (var inner = result.Error.InnerException; inner is not null; inner = inner.InnerException)
                    {
                        environment.Error.WriteLine($"  caused by: {inner.Message}");
                    }

                    environment.Error.WriteLine($"  the live certificate of {certificate.Name} and its deploy targets are unchanged; next attempt at {Format(result.NextPlan.RenewAt)} ({result.NextPlan.ReasonName})");
                    break;
            }

            if (!result.Succeeded)
            {
                failed.Add(certificate.Name);
            }
        }

        if (failed.Count == 0)
        {
            return ExitCodes.Success;
        }

        environment.Error.WriteLine($"certdaemon: renew failed for {string.Join(", ", failed)}.");
        var others = certificates.Select(c => c.Name).Except(failed, StringComparer.Ordinal).ToList();
        if (others.Count > 0)
        {
            environment.Error.WriteLine($"  unaffected: {string.Join(", ", others)}{(untouched.Count > 0 ? $" (not due and left untouched: {string.Join(", ", untouched.Except(failed, StringComparer.Ordinal))})" : "")}");
        }

        return ExitCodes.Failed;
    }

    private static async Task<int> DryRunAsync(IReadOnlyList<ManagedCertificate> certificates, CommandEnvironment environment, CancellationToken cancellationToken)
    {
        var directory = environment.Options.Acme.ResolveDryRunDirectoryUrl();
        var lifecycle = environment.Get<CertificateLifecycle>();
        var output = environment.Output;
        output.WriteLine($"Dry run against {directory}: certificates are issued, verified and discarded; nothing live changes.");
        var failed = new List<string>();
        foreach (var certificate in certificates)
        {
            try
            {
                var issued = await lifecycle.DryRunAsync(certificate, directory, cancellationToken);
                output.WriteLine($"{certificate.Name}: dry run succeeded (serial {issued.SerialHex} for {string.Join(", ", issued.Domains)}, discarded)");
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                environment.Error.WriteLine($"certdaemon: dry run of {certificate.Name} failed: {exception.Message}");
                for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
                {
                    environment.Error.WriteLine($"  caused by: {inner.Message}");
                }

                failed.Add(certificate.Name);
            }
        }

        if (failed.Count == 0)
        {
            return ExitCodes.Success;
        }

        environment.Error.WriteLine($"certdaemon: dry run failed for {string.Join(", ", failed)}; nothing live was changed (dry run).");
        return ExitCodes.Failed;
    }

    private static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
