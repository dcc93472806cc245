using CertDaemon.Configuration;
using CertDaemon.Kernel;
using CertDaemon.Storage;

namespace CertDaemon.Renewal;

/// <summary>
/// Every certificate CertDaemon manages: those in the configuration file, then the ad-hoc ones
/// (<c>certdaemon issue -d ...</c>) remembered in the state directory until <c>certdaemon delete</c>.
/// A configured certificate always wins over an ad-hoc one of the same name.
/// </summary>
internal sealed class ManagedCertificateCatalog(CertDaemonOptions options, CertificateStateStore states)
{
    public async Task<IReadOnlyList<ManagedCertificate>> ListAsync(CancellationToken cancellationToken)
    {
        var result = options.Certificates.Select(c => ManagedCertificate.FromOptions(options, c)).ToList();
        var configured = result.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var name in states.ListNames().Where(n => !configured.Contains(n)).Order(StringComparer.Ordinal))
        {
            CertificateState? state;
            try
            {
                state = await states.LoadAsync(name, cancellationToken);
            }
            catch (CertificateStoreException)
            {
                // A state from a newer CertDaemon: its names cannot be known here; the others are listed all the same.
                continue;
            }

            if (state is { Domains.Count: > 0 })
            {
                result.Add(FromAdHocState(state));
            }
        }

        return result;
    }

    /// <summary>
    /// One certificate by name: the configuration first, else that name's own state file. Reads one file, never every
    /// state file: the daemon calls this for each scheduled check.
    /// </summary>
    public async Task<ManagedCertificate?> FindAsync(string name, CancellationToken cancellationToken)
    {
        if (options.Certificates.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)) is { } configured)
        {
            return ManagedCertificate.FromOptions(options, configured);
        }

        if (CertificateName.Problem(name) is not null)
        {
            return null;
        }

        return await states.LoadAsync(name, cancellationToken) is { Domains.Count: > 0 } state ? FromAdHocState(state) : null;
    }

    /// <summary>Remembers an ad-hoc certificate so the daemon renews it like a configured one.</summary>
    public async Task<ManagedCertificate> RememberAdHocAsync(string name, IReadOnlyList<string> domains, KeyType keyType, CancellationToken cancellationToken)
    {
        var state = await states.LoadAsync(name, cancellationToken) ?? new CertificateState { Name = name };
        state = await states.SaveAsync(state with { Domains = domains, KeyType = KeyTypeNames.ToName(keyType) }, cancellationToken);
        return FromAdHocState(state);
    }

    private ManagedCertificate FromAdHocState(CertificateState state) => new(
        state.Name,
        state.Domains,
        KeyTypeNames.TryParse(state.KeyType, out var keyType) ? keyType : KeyType.Ec256,
        options.Acme.Profile,
        options.Route53.HostedZoneId,
        options.Route53.RoleArn,
        options.Route53.ExternalId,
        options.Nginx.Enabled,
        Acm: null,
        DeployHooks: [],
        AdHoc: true);
}
