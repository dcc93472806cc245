using System.Globalization;
using CertDaemon.Kernel;
using CertDaemon.Certbot;
using CertDaemon.Configuration;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Renewal;

/// <summary>
/// Notices a certificate CertDaemon did not write and takes it as the current one: certbot's live one before
/// CertDaemon's first issuance (so <c>status</c> shows what nginx serves and the plan starts from it, not "missing"),
/// or a renewal another tool (a still-enabled <c>certbot.timer</c>) made behind CertDaemon's back, whether
/// <c>live/NAME</c> points at it or it sits in <c>archive/NAME</c> only.
/// </summary>
/// <remarks>
/// <para>The candidates are the versions in <c>archive/NAME</c> CertDaemon did not write, numbered above the version
/// the state calls current and not below the live one: a rollback to certbot's older version (a failed
/// <c>nginx -t</c>) is not a renewal. The newest candidate whose set is complete and consistent (key matches
/// certificate, chain starts with its issuer, fullchain is cert + chain; <see cref="CertificateStore.ReadVerifiedVersionAsync"/>)
/// is taken; incomplete or inconsistent ones are reported and never taken, and so is one that is not live but names
/// other domains than the certificate's or is not valid now (switching it live would serve it).</para>
/// <para>A taken version that is not live is made live (<see cref="ReconcileAsync"/> only): certbot points
/// <c>live/NAME</c> at its newest version too, and planning from a certificate nobody serves would let the served,
/// older one expire first. Deploy targets get it at the same check, through their usual test and rollback.</para>
/// <para><see cref="FindAsync"/> reads only (for <c>status</c>); <see cref="ReconcileAsync"/> also switches, records it
/// in the state and logs <c>ForeignRenewalDetected</c> (a warning: two renewers on one lineage waste rate limits and race).</para>
/// </remarks>
internal sealed class LiveCertificateAdoption(
    CertDaemonOptions options, CertificateStore store, CertificateStateStore states, TimeProvider time, ILogger<LiveCertificateAdoption> logger)
{
    /// <summary>The name status and logs give a certificate another tool put in the lineage.</summary>
    public const string ForeignIssuer = "certbot";

    /// <summary>The certificate to take as current instead of <paramref name="state"/>'s, or null when there is none.</summary>
    /// <exception cref="CertificateStoreException">The lineage's layout is not one CertDaemon or certbot make.</exception>
    public async Task<CurrentCertificate?> FindAsync(string name, CertificateState? state, CancellationToken cancellationToken) =>
        (await SearchAsync(name, state, cancellationToken)).Found;

    /// <summary>
    /// Like <see cref="FindAsync"/>; also makes what it found live when it is not, records it in the state and logs it.
    /// Returns the state to plan from.
    /// </summary>
    public async Task<CertificateState?> ReconcileAsync(string name, CancellationToken cancellationToken)
    {
        var state = await states.LoadAsync(name, cancellationToken);
        Search search;
        try
        {
            search = await SearchAsync(name, state, cancellationToken);
        }
        catch (Exception e) when (e is CertificateStoreException or CertificateMaterialException or CertbotConfigurationException or IOException)
        {
            // Planning goes on from what the state knows; the next issuance replaces whatever is there.
            LifecycleLog.ForeignCertificateUnusable(logger, name, e.Message);
            return state;
        }

        foreach (var (version, error) in search.Ignored)
        {
            LifecycleLog.ForeignVersionIgnored(logger, name, version, error);
        }

        if (search.Found is not { } found)
        {
            return state;
        }

        if (found.Version != search.LiveVersion)
        {
            try
            {
                await store.SwitchLiveAsync(name, found.Version, cancellationToken);
            }
            catch (Exception e) when (e is CertificateStoreException or CertificateMaterialException or IOException or UnauthorizedAccessException)
            {
                // Not served, so not planned from: the state's certificate stays current and the next check retries.
                LifecycleLog.ForeignCertificateUnusable(logger, name, $"version {found.Version} could not be made live: {e.Message}");
                return state;
            }
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

    private async Task<Search> SearchAsync(string name, CertificateState? state, CancellationToken cancellationToken)
    {
        // Only the live version's number is needed unless a newer foreign version turns up (rare): reading the live
        // certificate itself for every lineage at every status and check was most of what status spent per certificate.
        if (store.GetLiveVersion(name) is not { } liveVersion)
        {
            return new Search(null, null, []);
        }

        var current = state?.Current;
        var floor = Math.Max(current?.Version ?? 0, liveVersion - 1);
        var ignored = new List<(int, string)>();
        foreach (var version in store.ForeignVersionsAbove(name, floor))
        {
            StoredVersion candidate;
            try
            {
                candidate = await store.ReadVerifiedVersionAsync(name, version, cancellationToken);
            }
            catch (Exception e) when (e is CertificateMaterialException or CertificateStoreException or IOException or UnauthorizedAccessException)
            {
                ignored.Add((version, e.Message));
                continue;
            }

            if (current is not null && string.Equals(candidate.Serial, current.Serial, StringComparison.OrdinalIgnoreCase))
            {
                break; // already the current certificate (recorded under another number)
            }

            var material = await store.ReadMaterialAsync(candidate, cancellationToken);
            var facts = LiveCertificateFacts.FromPem(material.CertificatePem, candidate.CertificatePath);
            if (candidate.Version != liveVersion && await WhyNotServableAsync(name, liveVersion, state, facts, cancellationToken) is { } why)
            {
                ignored.Add((version, why));
                continue;
            }

            var found = new CurrentCertificate(
                candidate.Version,
                facts.Serial,
                facts.Domains,
                facts.KeyType is { } keyType ? KeyTypeNames.ToName(keyType) : facts.KeyDescription,
                facts.NotBefore,
                facts.NotAfter,
                facts.AriCertificateId,
                CertbotServer(name) ?? options.Acme.DirectoryUrl,
                facts.NotBefore,
                IssuedBy: ForeignIssuer);
            return new Search(found, liveVersion, ignored);
        }

        return new Search(null, liveVersion, ignored);
    }

    /// <summary>
    /// Why a version that is not live must not be switched live, or null when it may: it would be served at the next
    /// nginx reload, so it must be for the certificate's names and valid now.
    /// </summary>
    private async Task<string?> WhyNotServableAsync(
        string name, int liveVersion, CertificateState? state, LiveCertificateFacts facts, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now < facts.NotBefore)
        {
            return $"it is valid only from {Stamp(facts.NotBefore)}";
        }

        if (now >= facts.NotAfter)
        {
            return $"it expired on {Stamp(facts.NotAfter)}";
        }

        var (expected, source) = await ExpectedNamesAsync(name, liveVersion, state, cancellationToken);
        return RenewalPlanner.SameNames(facts.Domains, expected)
            ? null
            : $"it names {string.Join(", ", facts.Domains)}; {source} {string.Join(", ", expected)}";
    }

    /// <summary>
    /// The names a version must carry to be served instead of the live one: the configured names, else the remembered
    /// (ad-hoc) ones, else what the current or, for an imported lineage, the live certificate covers.
    /// </summary>
    private async Task<(IReadOnlyList<string> Names, string Source)> ExpectedNamesAsync(
        string name, int liveVersion, CertificateState? state, CancellationToken cancellationToken)
    {
        if (options.Certificates.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)) is { Domains.Count: > 0 } configured)
        {
            return (configured.Domains, "the certificate is configured for");
        }

        if (state is { Domains.Count: > 0 })
        {
            return (state.Domains, "the certificate is configured for");
        }

        if (state?.Current is { Domains.Count: > 0 } current)
        {
            return (current.Domains, "the current certificate covers");
        }

        // The live version's own archive file: it stays where it is while live/NAME is switched.
        var path = new LineagePaths(options.CertificateDirectory).ArchiveFile(name, "cert", liveVersion);
        return (LiveCertificateFacts.FromPem(await File.ReadAllTextAsync(path, cancellationToken), path).Domains, "the live certificate covers");
    }

    private static string Stamp(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private Uri? CertbotServer(string name)
    {
        var path = Path.Combine(options.CertificateDirectory, "renewal", name + ".conf");
        return File.Exists(path) && Uri.TryCreate(CertbotRenewalConfigurationReader.Read(path).Server, UriKind.Absolute, out var server) ? server : null;
    }

    /// <param name="Found">The certificate to take as current, or null.</param>
    /// <param name="LiveVersion">The version <c>live/NAME</c> serves, or null.</param>
    /// <param name="Ignored">Newer foreign versions that cannot be taken, and why.</param>
    private sealed record Search(CurrentCertificate? Found, int? LiveVersion, IReadOnlyList<(int Version, string Error)> Ignored);
}
