namespace CertDaemon.Dns;

/// <summary>
/// Builds the DNS-01 solver of one certificate's run, and knows which runs of this process are live.
/// </summary>
/// <remarks>
/// Contract: <see cref="Create"/> is cheap and does no I/O; every solver it returns shares one challenge journal,
/// one <see cref="Runs"/> registry and the zone write locks of the state directory, so concurrent runs on one name
/// merge their values and never drop each other's. A solver created with an owner publishes values that only that
/// run's clean-up (or a recovery after the run died) removes. Safe to call concurrently.
/// </remarks>
internal interface IDnsChallengeSolverFactory
{
    /// <summary>This process's challenge runs: begin one while holding the run's lock, end it before releasing it.</summary>
    ChallengeRunRegistry Runs { get; }

    /// <param name="hostedZoneId">The certificate's zone override, if any.</param>
    /// <param name="roleArn">The role to assume for DNS writes, if any.</param>
    /// <param name="externalId">The role's external id, if any.</param>
    /// <param name="owner">The run publishing through this solver; null for an anonymous run, whose values any recovery may remove.</param>
    IDnsChallengeSolver Create(string? hostedZoneId, string? roleArn, string? externalId, ChallengeRunOwner? owner = null);
}
