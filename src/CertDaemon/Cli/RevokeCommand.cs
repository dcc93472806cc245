using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using CertDaemon.Acme;
using CertDaemon.Issuance;
using CertDaemon.Storage;

namespace CertDaemon.Cli;

/// <summary>
/// <c>certdaemon revoke NAME [--reason R]</c>: revokes NAME's current certificate at the CA that issued it, signed
/// with the account key (RFC 8555 7.6), and records it in the state; the next check replaces it.
/// </summary>
internal static class RevokeCommand
{
    /// <summary>The reasons accepted (RFC 5280 5.3.1 names); Let's Encrypt accepts these for subscriber requests.</summary>
    private static readonly Dictionary<string, RevocationReason?> Reasons = new(StringComparer.Ordinal)
    {
        ["unspecified"] = null, // RFC 5280 5.3.1: omit the reason code rather than send unspecified (0)
        ["keyCompromise"] = RevocationReason.KeyCompromise,
        ["affiliationChanged"] = RevocationReason.AffiliationChanged,
        ["superseded"] = RevocationReason.Superseded,
        ["cessationOfOperation"] = RevocationReason.CessationOfOperation,
    };

    public static Command Create(TextWriter output, TextWriter error)
    {
        var nameArgument = new Argument<string>("NAME") { Description = "The certificate to revoke" };
        var reasonOption = new Option<string>("--reason") { Description = "keyCompromise, superseded, cessationOfOperation, affiliationChanged or unspecified (default)", DefaultValueFactory = _ => "unspecified" };
        reasonOption.AcceptOnlyFromAmong([.. Reasons.Keys]);
        var command = new Command("revoke", "Revoke a certificate's current certificate at the CA") { nameArgument, reasonOption };
        command.SetAction(ConfiguredAction.WithEnvironment(output, error, async (parse, environment, cancellationToken) =>
        {
            var selected = await RenewCommand.SelectAsync([parse.GetValue(nameArgument)!], environment, cancellationToken);
            if (selected is null)
            {
                return ExitCodes.Usage;
            }

            var name = selected[0].Name;
            var reasonName = parse.GetValue(reasonOption)!;
            var states = environment.Get<CertificateStateStore>();
            var current = (await states.LoadAsync(name, cancellationToken))?.Current;
            if (current is null)
            {
                error.WriteLine($"certdaemon: {name} has no certificate to revoke (none was issued by CertDaemon). Nothing was changed.");
                return ExitCodes.Failed;
            }

            if (current.RevokedAt is { } revokedAt)
            {
                output.WriteLine($"{name}: certificate {current.Serial} was already revoked at {revokedAt:u} ({current.RevocationReason}); nothing to do.");
                return ExitCodes.Success;
            }

            var version = environment.Get<CertificateStore>().GetVersions(name).FirstOrDefault(v => v.Version == current.Version);
            if (version is null || !string.Equals(version.Serial, current.Serial, StringComparison.OrdinalIgnoreCase))
            {
                error.WriteLine($"certdaemon: the archived files of {name} version {current.Version} (serial {current.Serial}) are missing or differ; cannot revoke. Nothing was changed.");
                return ExitCodes.Failed;
            }

            try
            {
                using var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(version.CertificatePath, cancellationToken));
                var client = await environment.Get<AcmeSessions>().GetClientAsync(current.DirectoryUrl, cancellationToken);
                await client.RevokeCertificateAsync(certificate.RawData, Reasons[reasonName], cancellationToken);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                return CommandFailure.Report(error, $"revoke {name}", exception, $"Nothing was changed: certificate {current.Serial} is still valid and live.");
            }

            var at = environment.Get<TimeProvider>().GetUtcNow();
            await states.UpdateAsync(name, s => s with { Current = s.Current! with { RevokedAt = at, RevocationReason = reasonName } }, cancellationToken);
            output.WriteLine($"Revoked {name}: certificate {current.Serial} at {current.DirectoryUrl} (reason {reasonName}).");
            output.WriteLine($"  It is still live (nginx serves it) until it is replaced: the daemon does so at its next check,");
            output.WriteLine($"  'certdaemon renew --force {name}' does it now, 'certdaemon delete {name}' stops managing it.");
            return ExitCodes.Success;
        }));
        return command;
    }
}
