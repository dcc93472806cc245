namespace CertDaemon.Dns;

/// <summary>
/// Removes DNS-01 challenge values that earlier runs published and never cleaned up (the process died, or the
/// clean-up failed), as listed in the challenge journal (<see cref="IChallengeJournal"/>).
/// </summary>
/// <remarks>
/// Contract:
/// <list type="bullet">
/// <item>It removes only values whose journal entry is picked by the caller's selector <b>and</b> whose owning run is
/// dead (<see cref="ChallengeRunRegistry.TryClaimDead"/>); an entry without an owner counts as dead. The dead run's
/// lock is held until its values are removed, so that certificate's next run cannot start publishing in between.</item>
/// <item>It never removes a value of a live run (in this process or another), a value another run's entry still
/// lists, or any value of someone else on the same name: only the listed values go, the rest of each TXT set stays.</item>
/// <item>Idempotent: once an entry's values are gone its entry is forgotten, and a second call finds nothing to do
/// (a value already gone from DNS is not an error).</item>
/// <item>On failure every zone is still attempted; then <see cref="ChallengeCleanUpException"/> names the zones that
/// failed, whose entries stay journaled for a later call. Nothing is half-forgotten: an entry goes only after its
/// zone accepted the removal.</item>
/// </list>
/// </remarks>
internal interface IChallengeRecovery
{
    /// <summary>
    /// Removes the leftovers of dead runs among the entries <paramref name="select"/> picks, writing through the DNS
    /// account given (the certificate's zone override and role), and returns how many entries were removed.
    /// </summary>
    /// <param name="hostedZoneId">The zone override of the certificate whose leftovers these are, if any.</param>
    /// <param name="roleArn">The role to assume to write the zone, if any.</param>
    /// <param name="externalId">The role's external id, if any.</param>
    /// <param name="select">Which journal entries the caller may clean (e.g. those of one certificate's names).</param>
    /// <param name="cancellationToken">Stops the recovery; entries not yet removed stay journaled.</param>
    /// <exception cref="ChallengeCleanUpException">Some zones could not be cleaned; their entries stay.</exception>
    Task<int> RecoverAsync(
        string? hostedZoneId, string? roleArn, string? externalId, Func<ChallengeJournalEntry, bool> select, CancellationToken cancellationToken);
}
