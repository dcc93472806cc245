using System.Net;
using Amazon.Runtime;
using CertDaemon.Aws;
using CertDaemon.Aws.Route53;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CertDaemon.Tests.Aws;

public sealed class AwsRequestRateLimiterTests
{
    [Fact]
    public async Task Burst_of_five_then_one_request_per_200ms()
    {
        var clock = new FakeTimeProvider();
        var limiter = new AwsRequestRateLimiter(5, 5, clock);

        var acquisitions = Enumerable.Range(0, 10).Select(_ => limiter.AcquireAsync(CancellationToken.None).AsTask()).ToList();

        Assert.All(acquisitions.Take(5), t => Assert.True(t.IsCompletedSuccessfully));
        Assert.All(acquisitions.Skip(5), t => Assert.False(t.IsCompleted));

        clock.Advance(TimeSpan.FromMilliseconds(199));
        Assert.False(acquisitions[5].IsCompleted);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(acquisitions[5].IsCompleted);
        Assert.False(acquisitions[6].IsCompleted);

        clock.Advance(TimeSpan.FromMilliseconds(800));
        Assert.All(acquisitions, t => Assert.True(t.IsCompletedSuccessfully));
        Assert.Equal(TimeSpan.FromMilliseconds(1000), await acquisitions[9]);
    }

    [Fact]
    public async Task Idle_time_refills_only_up_to_the_burst()
    {
        var clock = new FakeTimeProvider();
        var limiter = new AwsRequestRateLimiter(5, 5, clock);
        clock.Advance(TimeSpan.FromMinutes(10));

        var acquisitions = Enumerable.Range(0, 6).Select(_ => limiter.AcquireAsync(CancellationToken.None).AsTask()).ToList();

        Assert.Equal(5, acquisitions.Count(t => t.IsCompletedSuccessfully));
        clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.True(acquisitions[5].IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_cancelled_waiter_gives_its_token_back()
    {
        var clock = new FakeTimeProvider();
        var limiter = new AwsRequestRateLimiter(5, 5, clock);
        for (var i = 0; i < 5; i++)
        {
            await limiter.AcquireAsync(CancellationToken.None);
        }

        using var cts = new CancellationTokenSource();
        var cancelled = limiter.AcquireAsync(cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        // Had the cancelled waiter kept its reservation, the next one would need 400 ms; with it returned, 200 ms.
        var next = limiter.AcquireAsync(CancellationToken.None).AsTask();
        clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.True(next.IsCompleted);
        await next;
    }

    [Fact]
    public async Task Two_clients_share_one_bucket()
    {
        var clock = new FakeTimeProvider();
        var limiter = new AwsRequestRateLimiter(1, 1, clock);
        var transport = new ScriptedHandler(clock, (_, _) => ScriptedHandler.Xml(HttpStatusCode.OK,
            "<GetChangeResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ChangeInfo><Id>C1</Id><Status>INSYNC</Status><SubmittedAt>2026-01-01T00:00:00Z</SubmittedAt></ChangeInfo></GetChangeResponse>"));
        var credentials = new BasicAWSCredentials("AKIDLIMITTEST", "secret");
        using var first = Route53Client.Create(new Uri("https://route53.test.invalid"), credentials, limiter, AwsRetryOptions.Default, clock, NullLogger.Instance, transport);
        using var second = Route53Client.Create(new Uri("https://route53.test.invalid"), credentials, limiter, AwsRetryOptions.Default, clock, NullLogger.Instance, transport);

        await first.GetChangeAsync("C1", CancellationToken.None);
        var waiting = second.GetChangeAsync("C1", CancellationToken.None);
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted, "the second client must wait for the token the first one used");
        Assert.Single(transport.Seen);

        await AwsRetryHandlerTests.AdvanceUntilAsync(clock, () => waiting.IsCompleted, TimeSpan.FromMilliseconds(100));
        await waiting;
        // The fake clock advances in 100 ms steps until the waiter runs: the gap is the refill time, give or take one step.
        var gap = transport.Seen[1].At - transport.Seen[0].At;
        Assert.InRange(gap, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.1));
    }
}
