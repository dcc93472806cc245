namespace CertDaemon.Fleet;

/// <summary>What <see cref="FleetLeaseRules.Decide"/> allows.</summary>
internal abstract record FleetLeaseDecision
{
    private FleetLeaseDecision()
    {
    }

    /// <summary>No lease exists: create one with <c>If-None-Match: *</c>.</summary>
    public sealed record Create : FleetLeaseDecision;

    /// <summary>
    /// Replace the lease read with <paramref name="ETag"/> (<c>If-Match</c>): it was released, or it is ours, or it
    /// expired (<paramref name="Expired"/>: its holder died or lost contact; its challenge records must be cleaned).
    /// </summary>
    public sealed record TakeOver(string ETag, FleetLease Previous, bool Expired) : FleetLeaseDecision;

    /// <summary>Someone else holds it: look again at <paramref name="Until"/> at the latest.</summary>
    public sealed record Wait(string Holder, string Reason, DateTimeOffset Until) : FleetLeaseDecision;
}
