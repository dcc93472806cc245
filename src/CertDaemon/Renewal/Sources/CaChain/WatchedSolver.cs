using CertDaemon.Dns;

namespace CertDaemon.Renewal.Sources.CaChain;

/// <summary>
/// Passes everything to the real solver and remembers whether publishing failed, so a failure there (ours: Route53,
/// propagation) is never mistaken for the CA's, whatever its exception type.
/// </summary>
internal sealed class WatchedSolver(IDnsChallengeSolver inner) : IDnsChallengeSolver
{
    /// <summary>Whether <see cref="PresentAsync"/> threw.</summary>
    public bool PresentFailed { get; private set; }

    public async Task PresentAsync(IReadOnlyList<DnsChallengeRecord> records, CancellationToken cancellationToken)
    {
        try
        {
            await inner.PresentAsync(records, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            PresentFailed = true;
            throw;
        }
    }

    public Task CleanUpAsync(IReadOnlyList<DnsChallengeRecord> records, CancellationToken cancellationToken) => inner.CleanUpAsync(records, cancellationToken);
}
