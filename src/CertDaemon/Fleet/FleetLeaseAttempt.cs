namespace CertDaemon.Fleet;

/// <summary>The outcome of <see cref="FleetLeases.TryAcquireAsync"/>.</summary>
internal abstract record FleetLeaseAttempt
{
    private FleetLeaseAttempt()
    {
    }

    /// <summary>
    /// This process holds the lease (dispose it to release). <paramref name="Abandoned"/> is the previous lease when it
    /// expired or still listed challenge records: the new holder must remove those records; null otherwise.
    /// </summary>
    public sealed record Acquired(HeldLease Lease, FleetLease? Abandoned) : FleetLeaseAttempt;

    /// <summary>Another instance holds it until <paramref name="Until"/> (expiry plus the skew margin) at the latest.</summary>
    public sealed record Busy(string Holder, string Reason, DateTimeOffset Until) : FleetLeaseAttempt;
}
