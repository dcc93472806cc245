using CertDaemon.Configuration;
using CertDaemon.Storage;

namespace CertDaemon.Renewal;

/// <summary>Builds <see cref="CertificateStatus"/> from configuration, state and the planner; reads files only.</summary>
internal sealed class CertificateStatusReader(CertDaemonOptions options, ManagedCertificateCatalog catalog, CertificateStateStore states, TimeProvider time)
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
                targets)
            {
                LastErrorKind = state?.LastError?.Kind,
            });
        }

        return result;
    }
}
