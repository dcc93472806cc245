namespace CertDaemon.Fleet;

/// <summary>
/// The lease algorithm's decisions, pure functions of what was read and the clock. The S3 calls that carry them out
/// are <see cref="FleetLeases"/>'.
/// </summary>
/// <remarks>
/// <para>Clock skew: a holder stops working when it could not extend its lease before <see cref="FleetLease.ExpiresAt"/>
/// by its own clock; another instance takes over only at <c>ExpiresAt + SkewMargin</c> by its clock. So two instances
/// never both believe they hold the lease while their clocks differ by less than <see cref="SkewMargin"/>, a fifth of
/// the lease duration (2 minutes for the default 10). Beyond that bound the manifest's compare-and-swap still keeps
/// the fleet consistent (one of two versions wins, the other is discarded); only a duplicate order becomes possible.</para>
/// </remarks>
internal static class FleetLeaseRules
{
    /// <summary>How much later than its expiry a lease is taken over: a fifth of the lease duration.</summary>
    public static TimeSpan SkewMargin(TimeSpan leaseDuration) => leaseDuration / 5;

    /// <summary>How often a holder extends its lease while it works: every third of the duration.</summary>
    public static TimeSpan ExtendEvery(TimeSpan leaseDuration) => leaseDuration / 3;

    /// <summary>What an instance whose holder id is <paramref name="self"/> may do with the lease it read.</summary>
    /// <param name="current">The lease object and its ETag; null when there is none.</param>
    /// <param name="deadPredecessorsOf">
    /// The caller's instance id and <c>#</c> the token it read from the instance's per-certificate lock file, passed
    /// only while the caller holds that file (which a live holder keeps): a lease naming exactly that value was taken
    /// by a process on this machine that is now dead (a restart, a crash) and is taken over at once, its journal
    /// inherited. A clone of the state directory on another machine has its own lock file, so it never matches.
    /// Null: such a lease is treated like any other instance's.
    /// </param>
    public static FleetLeaseDecision Decide(
        (FleetLease Lease, string ETag)? current, string self, DateTimeOffset now, TimeSpan leaseDuration, string? deadPredecessorsOf = null)
    {
        if (current is not { } read)
        {
            return new FleetLeaseDecision.Create();
        }

        var (lease, etag) = read;
        if (lease.Released || lease.Holder == self)
        {
            return new FleetLeaseDecision.TakeOver(etag, lease, Expired: false);
        }

        if (deadPredecessorsOf is not null && lease.Instance == deadPredecessorsOf)
        {
            return new FleetLeaseDecision.TakeOver(etag, lease, Expired: true);
        }

        var takeOverAt = lease.ExpiresAt + SkewMargin(leaseDuration);
        return now >= takeOverAt
            ? new FleetLeaseDecision.TakeOver(etag, lease, Expired: true)
            : new FleetLeaseDecision.Wait(lease.Holder, lease.Reason, takeOverAt);
    }
}
