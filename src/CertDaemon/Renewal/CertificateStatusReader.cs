using CertDaemon.Configuration;
using CertDaemon.Storage;

namespace CertDaemon.Renewal;

/// <summary>Builds <see cref="CertificateStatus"/> from configuration, state and the planner; reads files only.</summary>
/// <remarks>With <paramref name="adoption"/>, a live certificate CertDaemon did not write (certbot's, before the first
/// issuance or renewed behind CertDaemon's back) is shown and planned from, as the next check will record it.</remarks>
internal sealed class CertificateStatusReader(
    CertDaemonOptions options, ManagedCertificateCatalog catalog, CertificateStateStore states, TimeProvider time, LiveCertificateAdoption? adoption = null)
{
    /// <summary><see cref="StateError.Kind"/> of a state file this version refuses to read.</summary>
    public const string UnreadableStateKind = "state-unreadable";

    public async Task<IReadOnlyList<CertificateStatus>> ReadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var result = new List<CertificateStatus>();
        foreach (var certificate in await catalog.ListAsync(cancellationToken))
        {
            CertificateState? state;
            try
            {
                state = await states.LoadAsync(certificate.Name, cancellationToken);
            }
            catch (CertificateStoreException exception)
            {
                // One unreadable state (a newer schema) is shown on its certificate; the others are unaffected.
                state = new CertificateState { Name = certificate.Name, LastError = new StateError(exception.Message, now, UnreadableStateKind) };
            }

            if (adoption is not null && await FindForeignAsync(certificate.Name, state, cancellationToken) is { } foreign)
            {
                state = (state ?? new CertificateState { Name = certificate.Name }) with { Current = foreign };
            }

            var decision = RenewalFacts.Plan(certificate, state, options.Renewal, now);
            var current = state?.Current;
            var targets = (state?.Targets ?? new Dictionary<string, TargetState>())
                .OrderBy(t => t.Key, StringComparer.Ordinal)
                .Select(t => new TargetStatus(t.Key, t.Value.HeldSerial, current is not null && t.Value.HeldSerial == current.Serial, t.Value.Arn,
                    t.Value.LastError?.Message, t.Value.LastSuccessAt))
                .ToList();
            result.Add(new CertificateStatus(
                certificate.Name,
                certificate.Domains,
                certificate.AdHoc,
                current?.Serial,
                current?.NotAfter,
                current is null ? null : Math.Round((current.NotAfter - now).TotalDays, 2),
                decision.RenewAt,
                decision.ReasonName,
                decision.Explanation,
                state?.LastError?.Message,
                state?.LastError?.At,
                targets,
                current?.IssuedBy)
            {
                LastErrorKind = state?.LastError?.Kind,
            });
        }

        return result;
    }

    private async Task<CurrentCertificate?> FindForeignAsync(string name, CertificateState? state, CancellationToken cancellationToken)
    {
        try
        {
            return await adoption!.FindAsync(name, state, cancellationToken);
        }
        catch (Exception e) when (e is CertificateStoreException or CertificateMaterialException or Certbot.CertbotConfigurationException or IOException)
        {
            // Status shows what the state knows; the daemon's next check logs why the live certificate is unusable.
            return null;
        }
    }
}
