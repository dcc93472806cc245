using CertDaemon.Dns;
using CertDaemon.Issuance;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Renewal.Sources.CaChain;

/// <summary>
/// Issues a certificate from the chain of configured ACME CAs: the primary first, every run; the next CA only when
/// <see cref="FallbackPolicy"/> says the failure is the CA's. Each CA signs in with its own account
/// (<see cref="AcmeSessions"/>).
/// </summary>
/// <remarks>
/// Contract: returns a verified certificate and the CA that issued it, or throws. When only one CA was tried the
/// exception is that CA's, unchanged; when several were, a <see cref="ChainExhaustedException"/> naming each. Every
/// failed attempt is logged with the decision and its reason (<c>CertificateAuthorityRetry</c>,
/// <c>CertificateAuthorityFallback</c>, <c>CertificateAuthorityNoFallback</c>). The ARI CertID of the current
/// certificate goes as <c>replaces</c> only to the CA that issued it. Challenge records are cleaned up after each
/// attempt by the issuer, so a CA switch leaves none behind.
/// </remarks>
internal sealed class AcmeFallbackIssuer(
    AcmeSessions sessions, AcmeCertificateAuthorities authorities, FallbackPolicy policy, TimeProvider time, ILogger<AcmeFallbackIssuer> logger)
{
    public async Task<AcmeIssuance> IssueAsync(AcmeSourceRequest request, IDnsChallengeSolver solver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(solver);
        var chain = authorities.Chain;
        var failed = new List<(AcmeCertificateAuthority, Exception)>();
        for (var index = 0; index < chain.Count; index++)
        {
            var ca = chain[index];
            for (var attempt = 1; ; attempt++)
            {
                var watched = new WatchedSolver(solver);
                try
                {
                    // replaces: only to the CA that issued the current certificate, and never for one another tool put there.
                    var replaces = request.Current is { IssuedBy: null } current && current.DirectoryUrl == ca.DirectoryUrl ? current.AriCertificateId : null;
                    var profile = ca.Index == 0 ? request.PrimaryProfile : ca.Profile;
                    var issued = await sessions.WithIssuerAsync(ca.DirectoryUrl, issuer => issuer.IssueAsync(
                        new IssuanceRequest(request.Name, request.Domains, request.KeyType, profile, replaces), watched, cancellationToken), cancellationToken);
                    if (ca.Index > 0)
                    {
                        SourceLog.IssuedByFallback(logger, request.Name, ca.Role, ca.DirectoryUrl);
                    }

                    return new AcmeIssuance(issued, ca);
                }
                catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
                {
                    var failure = IssuanceFailureClassifier.Classify(exception, watched.PresentFailed);
                    var hasNext = index + 1 < chain.Count;
                    var verdict = policy.Decide(failure, attempt, hasNext, request.Deadline, time.GetUtcNow());
                    switch (verdict.Action)
                    {
                        case FallbackAction.RetrySameCa:
                            SourceLog.RetryingSameCa(logger, request.Name, ca.Role, ca.DirectoryUrl, exception.Message, verdict.Reason);
                            await Task.Delay(policy.RetryDelay, time, cancellationToken);
                            continue;
                        case FallbackAction.NextCa:
                            var next = chain[index + 1];
                            SourceLog.FallingBack(logger, request.Name, ca.Role, ca.DirectoryUrl, exception.Message, verdict.Reason, next.Role, next.DirectoryUrl);
                            failed.Add((ca, exception));
                            break;
                        default:
                            SourceLog.NotFallingBack(logger, request.Name, ca.Role, ca.DirectoryUrl, exception.Message, verdict.Reason);
                            if (failed.Count == 0)
                            {
                                throw;
                            }

                            failed.Add((ca, exception));
                            throw new ChainExhaustedException(request.Name, failed);
                    }
                }

                break;
            }
        }

        // The last CA never answers NextCa (there is none), so the loop always returns or throws above.
        throw new InvalidOperationException("the CA chain ended without a verdict");
    }
}
