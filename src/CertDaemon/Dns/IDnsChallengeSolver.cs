namespace CertDaemon.Dns;

/// <summary>
/// Answers the DNS-01 challenges of one ACME order.
/// </summary>
/// <remarks>
/// Contract:
/// <list type="bullet">
/// <item><see cref="PresentAsync"/> receives <b>every</b> record of the order at once so that an implementation can
/// batch them; it returns only when the CA can be expected to see every value (published and propagated), or throws.
/// It must not remove values it did not publish.</item>
/// <item><see cref="CleanUpAsync"/> is always called after <see cref="PresentAsync"/> was entered, whatever happened,
/// with the same records. It must not require that <see cref="PresentAsync"/> succeeded or even published anything,
/// must be idempotent, and removes only the values given (other values on the same name survive).</item>
/// <item>Both honour cancellation; <see cref="CleanUpAsync"/> is called with a token that still allows a bounded
/// clean-up after the caller itself was cancelled.</item>
/// </list>
/// </remarks>
internal interface IDnsChallengeSolver
{
    /// <summary>Publishes every record and waits until they are visible to the CA.</summary>
    Task PresentAsync(IReadOnlyList<DnsChallengeRecord> records, CancellationToken cancellationToken);

    /// <summary>Removes exactly the given values; never throws for a value that is already gone.</summary>
    Task CleanUpAsync(IReadOnlyList<DnsChallengeRecord> records, CancellationToken cancellationToken);
}
