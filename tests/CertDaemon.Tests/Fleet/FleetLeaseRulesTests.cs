using CertDaemon.Fleet;

namespace CertDaemon.Tests.Fleet;

public sealed class FleetLeaseRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Duration = TimeSpan.FromMinutes(10);

    [Fact]
    public void No_lease_is_created_and_a_live_lease_of_another_holder_waits_until_expiry_plus_the_skew_margin()
    {
        Assert.IsType<FleetLeaseDecision.Create>(FleetLeaseRules.Decide(null, "me", Now, Duration));

        var other = Lease("other", expiresAt: Now + TimeSpan.FromMinutes(1));
        var wait = Assert.IsType<FleetLeaseDecision.Wait>(FleetLeaseRules.Decide((other, "\"e1\""), "me", Now, Duration));
        Assert.Equal("other", wait.Holder);
        Assert.Equal(other.ExpiresAt + TimeSpan.FromMinutes(2), wait.Until);
        Assert.Equal(TimeSpan.FromMinutes(2), FleetLeaseRules.SkewMargin(Duration));
    }

    [Fact]
    public void An_expired_lease_is_taken_over_only_after_the_margin_by_its_etag()
    {
        var expired = Lease("dead", expiresAt: Now - TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));
        Assert.IsType<FleetLeaseDecision.Wait>(FleetLeaseRules.Decide((expired, "\"e1\""), "me", Now, Duration));

        var longExpired = Lease("dead", expiresAt: Now - TimeSpan.FromMinutes(2));
        var takeOver = Assert.IsType<FleetLeaseDecision.TakeOver>(FleetLeaseRules.Decide((longExpired, "\"e2\""), "me", Now, Duration));
        Assert.True(takeOver.Expired);
        Assert.Equal("\"e2\"", takeOver.ETag);
        Assert.Same(longExpired, takeOver.Previous);
    }

    [Fact]
    public void A_released_lease_or_our_own_is_taken_at_once_without_inheriting_records()
    {
        var released = Lease("other", expiresAt: Now + TimeSpan.FromMinutes(5)) with { Released = true };
        Assert.False(Assert.IsType<FleetLeaseDecision.TakeOver>(FleetLeaseRules.Decide((released, "\"e\""), "me", Now, Duration)).Expired);

        var ours = Lease("me", expiresAt: Now + TimeSpan.FromMinutes(5));
        Assert.False(Assert.IsType<FleetLeaseDecision.TakeOver>(FleetLeaseRules.Decide((ours, "\"e\""), "me", Now, Duration)).Expired);
    }

    private static FleetLease Lease(string holder, DateTimeOffset expiresAt) =>
        new(holder, expiresAt - Duration, expiresAt, "renewal", Released: false, []);
}
