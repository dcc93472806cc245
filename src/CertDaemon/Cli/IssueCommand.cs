using System.CommandLine;
using CertDaemon.Configuration;
using CertDaemon.Deployment;
using CertDaemon.Kernel;
using CertDaemon.Renewal;
using CertDaemon.Storage;

namespace CertDaemon.Cli;

/// <summary>
/// <c>certdaemon issue NAME</c> (a configured or remembered certificate) or
/// <c>certdaemon issue -d example.com -d '*.example.com' [--name N] [--key-type ec256]</c> (ad-hoc, remembered and
/// renewed until <c>certdaemon delete N</c>): issue now, store, deploy, exit.
/// </summary>
internal static class IssueCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var nameArgument = new Argument<string?>("NAME") { Description = "A configured certificate's name", Arity = ArgumentArity.ZeroOrOne };
        var domainsOption = new Option<string[]>("--domain", "-d") { Description = "A domain of an ad-hoc certificate (repeatable; '*.example.com' for a wildcard)", AllowMultipleArgumentsPerToken = false };
        var nameOption = new Option<string?>("--name") { Description = "Name of the ad-hoc certificate (default: the first domain)" };
        var keyTypeOption = new Option<string>("--key-type") { Description = "Key type: ec256 (default), ec384, rsa2048, rsa3072, rsa4096", DefaultValueFactory = _ => "ec256" };
        keyTypeOption.AcceptOnlyFromAmong([.. KeyTypeNames.All]);
        var command = new Command("issue", "Issue (or re-issue) a certificate now, deploy it, and exit") { nameArgument, domainsOption, nameOption, keyTypeOption };
        var issue = ConfiguredAction.WithEnvironment(output, error, async (parse, environment, cancellationToken) =>
        {
            var name = parse.GetValue(nameArgument);
            var domains = parse.GetValue(domainsOption) ?? [];
            var catalog = new ManagedCertificateCatalog(environment.Options, environment.Get<CertificateStateStore>());
            ManagedCertificate? certificate;
            if (name is not null)
            {
                certificate = await catalog.FindAsync(name, cancellationToken);
                if (certificate is null)
                {
                    var known = (await catalog.ListAsync(cancellationToken)).Select(c => c.Name).ToList();
                    error.WriteLine($"certdaemon issue: no certificate named '{name}' (known: {(known.Count == 0 ? "none" : string.Join(", ", known))})");
                    return ExitCodes.Usage;
                }
            }
            else
            {
                var adHoc = await PrepareAdHocAsync(parse.GetValue(nameOption), domains, parse.GetValue(keyTypeOption)!, environment, catalog, cancellationToken);
                if (adHoc is null)
                {
                    return ExitCodes.Usage;
                }

                certificate = adHoc;
            }

            await StoreRecovery.RunAsync(environment, [certificate.Name], cancellationToken);
            RenewalCheckResult result;
            try
            {
                // Through the coordinator, like the daemon's checks: a failure is logged as RenewalFailed, counted,
                // and told to the observers (metrics, notifications). The renewer behind it takes the fleet lease
                // and publishes to the fleet store in fleet mode.
                result = await environment.Get<RenewalCoordinator>().IssueNowAsync(certificate, cancellationToken);
            }
            catch (RenewedMeanwhileException meanwhile)
            {
                // The request is met: a certificate newer than when it was asked for is live.
                output.WriteLine($"{certificate.Name}: not issued here: {meanwhile.Message}");
                return ExitCodes.Success;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return CommandFailure.Report(error, $"issue {certificate.Name}", exception,
                    "Nothing was stored: the live certificate and every deploy target are as they were.");
            }

            if (result.Lifecycle is not { } outcome)
            {
                return CommandFailure.Report(error, $"issue {certificate.Name}", result.Error!,
                    "Nothing was stored: the live certificate and every deploy target are as they were.");
            }

            return Report(outcome, environment, output, error);
        });

        // A usage error is reported before the configuration is read.
        command.SetAction((parse, cancellationToken) =>
        {
            if ((parse.GetValue(nameArgument) is null) == ((parse.GetValue(domainsOption) ?? []).Length == 0))
            {
                error.WriteLine("certdaemon issue: give either a configured NAME or one or more -d DOMAIN (ad-hoc), not both");
                return Task.FromResult(ExitCodes.Usage);
            }

            return issue(parse, cancellationToken);
        });
        return command;
    }

    private static async Task<ManagedCertificate?> PrepareAdHocAsync(
        string? requestedName, string[] domains, string keyTypeName, CommandEnvironment environment, ManagedCertificateCatalog catalog, CancellationToken cancellationToken)
    {
        var normalized = new List<string>();
        foreach (var domain in domains)
        {
            if (!DomainNameNormalizer.TryNormalize(domain, allowWildcard: true, out var value, out var problem))
            {
                environment.Error.WriteLine($"certdaemon issue: -d {domain}: {problem}");
                return null;
            }

            if (!normalized.Contains(value, StringComparer.Ordinal))
            {
                normalized.Add(value);
            }
        }

        var name = requestedName ?? (normalized[0].StartsWith("*.", StringComparison.Ordinal) ? normalized[0][2..] : normalized[0]);
        if (CertificateName.Problem(name) is { } nameProblem)
        {
            environment.Error.WriteLine($"certdaemon issue: --name {name}: {nameProblem}");
            return null;
        }

        if (environment.Options.Certificates.Any(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)))
        {
            environment.Error.WriteLine($"certdaemon issue: '{name}' is a configured certificate; use 'certdaemon issue {name}' or another --name");
            return null;
        }

        KeyTypeNames.TryParse(keyTypeName, out var keyType);
        return await catalog.RememberAdHocAsync(name, normalized, keyType, cancellationToken);
    }

    internal static int Report(LifecycleOutcome outcome, CommandEnvironment environment, TextWriter output, TextWriter error)
    {
        if (outcome.Issued is { } issued && outcome.Stored is { } stored)
        {
            var left = issued.NotAfter - environment.Get<TimeProvider>().GetUtcNow();
            output.WriteLine($"Issued {issued.Name}: serial {issued.SerialHex}, valid until {issued.NotAfter:yyyy-MM-dd HH:mm} UTC ({left.TotalDays:F0} days)");
            output.WriteLine($"  names: {string.Join(", ", issued.Domains)}");
            output.WriteLine($"  files: {environment.Get<CertificateStore>().LivePath(issued.Name)}/{{fullchain,privkey,cert,chain}}.pem (version {stored.Version})");
        }

        foreach (var deployment in outcome.Deployments)
        {
            switch (deployment)
            {
                case DeploymentResult.Succeeded ok:
                    output.WriteLine($"  {ok.Target}: {ok.Message}");
                    foreach (var warning in ok.Warnings)
                    {
                        error.WriteLine($"warning: {ok.Target}: {warning.Message}");
                    }

                    break;
                case DeploymentResult.Failed failed:
                    // The deployer's message already says what was rolled back and what happens next.
                    error.WriteLine($"certdaemon: deploying {failed.CertificateName} to {failed.Target} failed: {failed.Message}");
                    break;
            }
        }

        if (outcome.Hooks is { } hooks)
        {
            foreach (var hook in hooks.Failures)
            {
                error.WriteLine($"warning: deploy hook {hook.Command.Describe()}");
            }
        }

        return outcome.Succeeded ? ExitCodes.Success : ExitCodes.Failed;
    }
}
