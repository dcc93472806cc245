using CertDaemon.Kernel;
using CertDaemon.Certbot;
using CertDaemon.Configuration;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Renewal;

/// <summary>
/// Notices a live certificate CertDaemon did not write and takes it as the current one: certbot's before CertDaemon's
/// first issuance (so <c>status</c> shows what nginx serves and the plan starts from it, not "missing"), or a renewal
/// another tool (a still-enabled <c>certbot.timer</c>) made behind CertDaemon's back.
/// </summary>
/// <remarks>
/// A foreign version counts only when it is newer than the version the state calls current: a rollback to certbot's
/// older version (a failed <c>nginx -t</c>) is not a renewal. It is taken only when its key matches its certificate
/// and its chain starts with its issuer (<see cref="CertificateMaterialVerifier"/>); otherwise it is reported and
/// ignored. <see cref="FindAsync"/> reads only (for <c>status</c>); <see cref="ReconcileAsync"/> also records it in the state
/// and logs <c>ForeignRenewalDetected</c> (a warning: two renewers on one lineage waste rate limits and race).
/// </remarks>
internal sealed class LiveCertificateAdoption(
    CertDaemonOptions options, CertificateStore store, CertificateStateStore states, TimeProvider time, ILogger<LiveCertificateAdoption> logger)
{
    /// <summary>The name status and logs give a certificate another tool put in the lineage.</summary>
    public const string ForeignIssuer = "certbot";

    /// <summary>The live certificate to take as current instead of <paramref name="state"/>'s, or null when there is none.</summary>
    /// <exception cref="CertificateStoreException">The lineage's layout is not one CertDaemon or certbot make.</exception>
    /// <exception cref="CertificateMaterialException">The foreign version's key does not match its certificate.</exception>
    public async Task<CurrentCertificate?> FindAsync(string name, CertificateState? state, CancellationToken cancellationToken)
    {
        if (store.GetLive(name) is not { IsCertbotVersion: true } live)
        {
            return null;
        }

        if (state?.Current is { } current && (live.Version <= current.Version || live.Serial == current.Serial))
        {
            return null;
        }

        var material = await store.ReadMaterialAsync(live, cancellationToken);
        CertificateMaterialVerifier.Verify(name, material);
        var facts = LiveCertificateFacts.FromPem(material.CertificatePem, live.CertificatePath);
        return new CurrentCertificate(
            live.Version,
            facts.Serial,
            facts.Domains,
            facts.KeyType is { } keyType ? KeyTypeNames.ToName(keyType) : facts.KeyDescription,
            facts.NotBefore,
            facts.NotAfter,
            facts.AriCertificateId,
            CertbotServer(name) ?? options.Acme.DirectoryUrl,
            facts.NotBefore,
            IssuedBy: ForeignIssuer);
    }

    /// <summary>Like <see cref="FindAsync"/>, and records what it found in the state (logged); returns the state to plan from.</summary>
    public async Task<CertificateState?> ReconcileAsync(string name, CancellationToken cancellationToken)
    {
        var state = await states.LoadAsync(name, cancellationToken);
        CurrentCertificate? found;
        try
        {
            found = await FindAsync(name, state, cancellationToken);
        }
        catch (Exception e) when (e is CertificateStoreException or CertificateMaterialException or CertbotConfigurationException or IOException)
        {
            // Planning goes on from what the state knows; the next issuance replaces whatever is there.
            LifecycleLog.ForeignCertificateUnusable(logger, name, e.Message);
            return state;
        }

        if (found is null)
        {
            return state;
        }

        var now = time.GetUtcNow();
        var renewedBehindOurBack = state?.Current is not null;
        var updated = await states.UpdateAsync(name, s => s with
        {
            Current = found,
            History = [.. s.History, new CertificateHistoryEntry(found.Version, found.Serial, found.NotAfter, now)],
        }, cancellationToken);
        if (renewedBehindOurBack)
        {
            LifecycleLog.ForeignRenewalDetected(logger, name, found.Serial, found.Version, found.NotAfter);
        }
        else
        {
            LifecycleLog.LiveCertificateAdopted(logger, name, found.Serial, found.Version, found.NotAfter);
        }

        return updated;
    }

    private Uri? CertbotServer(string name)
    {
        var path = Path.Combine(options.CertificateDirectory, "renewal", name + ".conf");
        return File.Exists(path) && Uri.TryCreate(CertbotRenewalConfigurationReader.Read(path).Server, UriKind.Absolute, out var server) ? server : null;
    }
}
