using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using CertDaemon.Acme;
using CertDaemon.Issuance;
using CertDaemon.Renewal;
using CertDaemon.Storage;

namespace CertDaemon.Cli;

/// <summary><c>certdaemon revoke NAME [--reason R]</c>: revokes the live certificate at the CA, signed with the account key.</summary>
internal static class RevokeCommand
{
    private static readonly Dictionary<string, RevocationReason> Reasons = new(StringComparer.OrdinalIgnoreCase)
    {
        ["unspecified"] = RevocationReason.Unspecified,
        ["keyCompromise"] = RevocationReason.KeyCompromise,
        ["affiliationChanged"] = RevocationReason.AffiliationChanged,
        ["superseded"] = RevocationReason.Superseded,
        ["cessationOfOperation"] = RevocationReason.CessationOfOperation,
    };

    public static Command Create(TextWriter output, TextWriter error)
    {
        var name = new Argument<string>("NAME") { Description = "The certificate whose live version is revoked" };
        var reason = new Option<string?>("--reason") { Description = "RFC 5280 reason: " + string.Join(", ", Reasons.Keys) };
        reason.AcceptOnlyFromAmong([.. Reasons.Keys]);
        var command = new Command("revoke", "Revoke the live certificate at the CA") { name, reason };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = CommandEnvironment.LoadConfiguration(parse.GetValue(CliRoot.ConfigOption), error);
            if (configuration is null)
            {
                return ExitCodes.Configuration;
            }

            await using var environment = CommandEnvironment.Create(configuration, CliRoot.ParseLogFormat(parse), output, error);
            var selected = await CertificateSelection.SelectAsync(environment.Get<ManagedCertificateCatalog>(), [parse.GetValue(name)!], "revoke", error, cancellationToken);
            if (selected is not [var certificate])
            {
                return ExitCodes.Usage;
            }

            var live = environment.Get<CertificateStore>().GetLive(certificate.Name);
            if (live is null)
            {
                error.WriteLine($"certdaemon revoke: {certificate.Name} has no live certificate to revoke");
                return ExitCodes.Failed;
            }

            RevocationReason? code = parse.GetValue(reason) is { } r ? Reasons[r] : null;
            try
            {
                using var certificateFile = X509CertificateLoader.LoadCertificateFromFile(live.CertificatePath);
                var acme = await environment.Get<AcmeSessions>().GetClientAsync(null, cancellationToken);
                await acme.RevokeCertificateAsync(certificateFile.RawData, code, cancellationToken);
                var at = environment.Get<TimeProvider>().GetUtcNow();
                await environment.Get<CertificateStateStore>().UpdateAsync(certificate.Name, s => s with
                {
                    LastError = new StateError($"serial {live.Serial} was revoked ({parse.GetValue(reason) ?? "unspecified"}); run 'certdaemon issue {certificate.Name}' for a replacement", at, "revoked"),
                }, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return CommandFailure.Report(error, $"revoke {certificate.Name}", exception, "The certificate was not revoked; the live files are unchanged.");
            }

            output.WriteLine($"Revoked {certificate.Name}: serial {live.Serial} ({parse.GetValue(reason) ?? "no reason given"}).");
            output.WriteLine($"  nginx still serves it until replaced: run 'certdaemon issue {certificate.Name}' now.");
            return ExitCodes.Success;
        });
        return command;
    }
}
