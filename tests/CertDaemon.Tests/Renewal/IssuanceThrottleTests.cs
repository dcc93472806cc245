using CertDaemon.Renewal;
using Microsoft.Extensions.Time.Testing;

namespace CertDaemon.Tests.Renewal;

public sealed class IssuanceThrottleTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public async Task No_more_issuances_hold_a_slot_than_allowed_and_a_committed_one_frees_its_slot_at_once()
    {
        using var throttle = new IssuanceThrottle(2, _clock);
        using var a = await throttle.EnterAsync("a", CancellationToken.None);
        using var b = await throttle.EnterAsync("b", CancellationToken.None);
        var c = throttle.EnterAsync("c", CancellationToken.None);
        await Task.Delay(50);
        Assert.False(c.IsCompleted);

        a.ReleaseSlot(); // a is committed: it deploys now, c may order
        using var third = await c.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("c", third.CertificateName);
    }

    [Fact]
    public async Task A_deployment_waits_until_every_pending_issuance_reached_its_deployment()
    {
        using var throttle = new IssuanceThrottle(2, _clock);
        Assert.True(throttle.WaitUntilNoneAsync(Limit, CancellationToken.None).IsCompleted);

        using var a = await throttle.EnterAsync("a", CancellationToken.None);
        using var b = await throttle.EnterAsync("b", CancellationToken.None);
        a.ReleaseSlot();
        throttle.Deploying("a");
        var waiting = throttle.WaitUntilNoneAsync(Limit, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted); // b is still ordering

        b.ReleaseSlot();
        Assert.False(waiting.IsCompleted); // committed, not yet deploying: it will share the reload
        throttle.Deploying("b");
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_failed_issuance_stops_being_pending_and_a_slow_one_is_waited_for_only_until_the_limit()
    {
        using var throttle = new IssuanceThrottle(2, _clock);
        var failed = await throttle.EnterAsync("failed", CancellationToken.None);
        using var slow = await throttle.EnterAsync("slow", CancellationToken.None);

        var waiting = throttle.WaitUntilNoneAsync(Limit, CancellationToken.None);
        failed.Dispose();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);

        _clock.Advance(Limit - TimeSpan.FromSeconds(1));
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_cancelled_wait_for_a_slot_leaves_nothing_pending()
    {
        using var throttle = new IssuanceThrottle(1, _clock);
        using var holder = await throttle.EnterAsync("holder", CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiting = throttle.EnterAsync("waiting", cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        throttle.Deploying("holder");
        Assert.True(throttle.WaitUntilNoneAsync(Limit, CancellationToken.None).IsCompleted);
    }
}
