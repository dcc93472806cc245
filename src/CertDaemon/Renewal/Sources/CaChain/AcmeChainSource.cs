using CertDaemon.Configuration;
using CertDaemon.Dns;
using CertDaemon.Issuance;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Renewal.Sources.CaChain;

/// <summary>
/// <see cref="ICertificateSource"/> for ACME issuers: the chain of configured CAs (<see cref="AcmeFallbackIssuer"/>)
/// answering DNS-01 (through Route53 today; the solver factory and the recovery are interfaces). Every run is
/// registered as the owner of the challenge values it publishes (by the certificate's lock) and first removes what
/// dead runs left on the same names.
/// </summary>
internal sealed class AcmeChainSource(
    AcmeSessions acme,
    AcmeFallbackIssuer caChain,
    IDnsChallengeSolverFactory solvers,
    IChallengeRecovery challengeRecovery,
    TimeProvider time,
    ILogger<AcmeChainSource> logger) : ICertificateSource
{
    public bool AppliesTo(ManagedCertificate certificate) => certificate.Issuer != CertificateIssuers.AcmExport;

    public void EnsureCanRehearse(ManagedCertificate certificate)
    {
        // Any ACME CA can be rehearsed against (a staging or test directory).
    }

    public async Task<ObtainedCertificate> ObtainAsync(CertificateSourceRequest request, CancellationToken cancellationToken)
    {
        var certificate = request.Certificate;
        var owner = solvers.Runs.Begin(request.Lock.LivenessPath);
        try
        {
            var solver = solvers.Create(certificate.HostedZoneId, certificate.RoleArn, certificate.ExternalId, owner);
            if (request.RehearsalDirectoryUrl is { } directoryUrl)
            {
                var rehearsed = await acme.WithIssuerAsync(directoryUrl, issuer => issuer.IssueAsync(
                    new IssuanceRequest(certificate.Name, certificate.Domains, certificate.KeyType, certificate.Profile, Replaces: null) { DryRun = true }, solver, cancellationToken),
                    cancellationToken);
                return new ObtainedCertificate(rehearsed, directoryUrl);
            }

            await RecoverOwnChallengeRecordsAsync(certificate, cancellationToken);
            var deadline = RenewalDeadline.For(request.Current, [.. certificate.Domains], RenewalPolicy.Default.EmergencyFraction, time.GetUtcNow());
            var obtained = await caChain.IssueAsync(
                new AcmeSourceRequest(certificate.Name, certificate.Domains, certificate.KeyType, certificate.Profile, request.Current, deadline), solver, cancellationToken);
            return new ObtainedCertificate(obtained.Issued, obtained.Authority.DirectoryUrl);
        }
        finally
        {
            solvers.Runs.End(owner);
        }
    }

    /// <summary>
    /// Earlier runs on these names may have left TXT values (journaled before publishing): remove those whose run is
    /// dead before publishing new ones. Values of runs still in flight (another certificate on the same name, in this
    /// process or another) are theirs and stay.
    /// </summary>
    private async Task RecoverOwnChallengeRecordsAsync(ManagedCertificate certificate, CancellationToken cancellationToken)
    {
        var names = certificate.Domains
            .Select(d => DnsName.Normalize("_acme-challenge." + (d.StartsWith("*.", StringComparison.Ordinal) ? d[2..] : d)))
            .ToHashSet(StringComparer.Ordinal);
        try
        {
            await challengeRecovery.RecoverAsync(
                certificate.HostedZoneId, certificate.RoleArn, certificate.ExternalId, entry => names.Contains(DnsName.Normalize(entry.RecordName)), cancellationToken);
        }
        catch (ChallengeCleanUpException exception)
        {
            // Leftovers do not stop a new issuance (our UPSERT merges with them); they stay journaled for later.
            LifecycleLog.LeftoverChallengeRecordsKept(logger, exception, certificate.Name);
        }
    }
}
