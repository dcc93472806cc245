using System.Net;
using Amazon;
using Amazon.Runtime;
using CertDaemon.Aws;
using CertDaemon.Aws.Route53;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CertDaemon.Tests.Aws;

public sealed class AwsRetryHandlerTests
{
    private static readonly AwsRetryOptions Fast = new() { MaxAttempts = 4, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) };

    private static readonly ChangeBatch Batch = new([new(ChangeAction.Upsert, new ResourceRecordSet("_acme-challenge.a.test.", "TXT", 60, ["\"v\""]))]);

    private static Route53Client Client(ScriptedHandler transport, AwsRetryOptions? retry = null, TimeProvider? clock = null, AWSCredentials? credentials = null) =>
        Route53Client.Create(
            new Uri("https://route53.test.invalid"),
            credentials ?? new BasicAWSCredentials("AKIDRETRYTEST", "secret"),
            new AwsRequestRateLimiter(1000, 1000, clock),
            retry ?? Fast,
            clock,
            NullLogger.Instance,
            transport);

    [Fact]
    public async Task Throttling_then_success_is_retried_with_the_same_body()
    {
        var transport = new ScriptedHandler(TimeProvider.System, (n, _) =>
            n == 1 ? ScriptedHandler.Route53Error(HttpStatusCode.BadRequest, "Throttling", "Rate exceeded") : ScriptedHandler.ChangeInfoOk());
        using var client = Client(transport);

        var change = await client.ChangeResourceRecordSetsAsync("Z1", Batch, CancellationToken.None);

        Assert.Equal("C123", change.Id);
        Assert.Equal(ChangeStatus.Pending, change.Status);
        Assert.Equal(2, transport.Seen.Count);
        Assert.Contains("<Action>UPSERT</Action>", transport.Seen[0].Body, StringComparison.Ordinal);
        Assert.Equal(transport.Seen[0].Body, transport.Seen[1].Body);
    }

    [Fact]
    public async Task PriorRequestNotComplete_is_retried()
    {
        var transport = new ScriptedHandler(TimeProvider.System, (n, _) =>
            n == 1 ? ScriptedHandler.Route53Error(HttpStatusCode.BadRequest, "PriorRequestNotComplete") : ScriptedHandler.ChangeInfoOk());
        using var client = Client(transport);

        await client.ChangeResourceRecordSetsAsync("Z1", Batch, CancellationToken.None);

        Assert.Equal(2, transport.Seen.Count);
    }

    [Theory]
    [InlineData("InvalidChangeBatch", HttpStatusCode.BadRequest)]
    [InlineData("NoSuchHostedZone", HttpStatusCode.NotFound)]
    [InlineData("InvalidInput", HttpStatusCode.BadRequest)]
    [InlineData("AccessDenied", HttpStatusCode.Forbidden)]
    [InlineData("SignatureDoesNotMatch", HttpStatusCode.Forbidden)]
    public async Task Client_errors_are_not_retried(string code, HttpStatusCode status)
    {
        var transport = new ScriptedHandler(TimeProvider.System, (_, _) => ScriptedHandler.Route53Error(status, code, "rejected for a reason"));
        using var client = Client(transport);

        var ex = await Assert.ThrowsAsync<AwsServiceException>(() => client.ChangeResourceRecordSetsAsync("Z1", Batch, CancellationToken.None));

        Assert.Equal(code, ex.Code);
        Assert.Equal("rejected for a reason", ex.ServiceMessage);
        Assert.Equal("req-" + code, ex.RequestId);
        Assert.False(ex.IsRetryable);
        Assert.Single(transport.Seen);
    }

    [Fact]
    public async Task Service_unavailable_503_is_retried()
    {
        var transport = new ScriptedHandler(TimeProvider.System, (n, _) =>
            n <= 2 ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) : ScriptedHandler.ChangeInfoOk());
        using var client = Client(transport);

        await client.ChangeResourceRecordSetsAsync("Z1", Batch, CancellationToken.None);

        Assert.Equal(3, transport.Seen.Count);
    }

    [Fact]
    public async Task Dropped_connection_is_retried()
    {
        var transport = new ScriptedHandler(TimeProvider.System, (n, _) =>
            n == 1 ? throw new HttpRequestException("connection reset", new IOException("Connection reset by peer")) : ScriptedHandler.ChangeInfoOk());
        using var client = Client(transport);

        await client.ChangeResourceRecordSetsAsync("Z1", Batch, CancellationToken.None);

        Assert.Equal(2, transport.Seen.Count);
    }

    [Fact]
    public async Task Attempts_are_bounded_and_the_last_throttling_surfaces_as_retryable_error()
    {
        var transport = new ScriptedHandler(TimeProvider.System, (_, _) => ScriptedHandler.Route53Error(HttpStatusCode.BadRequest, "Throttling", "Rate exceeded"));
        using var client = Client(transport);

        var ex = await Assert.ThrowsAsync<AwsServiceException>(() => client.ChangeResourceRecordSetsAsync("Z1", Batch, CancellationToken.None));

        Assert.Equal("Throttling", ex.Code);
        Assert.True(ex.IsRetryable);
        Assert.Equal(Fast.MaxAttempts, transport.Seen.Count);
    }

    [Fact]
    public async Task Dropped_connections_are_bounded_and_the_last_exception_surfaces()
    {
        var transport = new ScriptedHandler(TimeProvider.System, (_, _) => throw new HttpRequestException("refused", new IOException("refused")));
        using var client = Client(transport);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetChangeAsync("C1", CancellationToken.None));

        Assert.Equal(Fast.MaxAttempts, transport.Seen.Count);
    }

    [Fact]
    public async Task Retry_after_is_waited_out_on_the_injected_clock()
    {
        var clock = new FakeTimeProvider();
        var transport = new ScriptedHandler(clock, (n, _) =>
        {
            if (n > 1)
            {
                return ScriptedHandler.ChangeInfoOk();
            }

            var throttled = ScriptedHandler.Route53Error(HttpStatusCode.BadRequest, "Throttling");
            throttled.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(3));
            return throttled;
        });
        using var client = Client(transport, AwsRetryOptions.Default, clock);

        var call = client.ChangeResourceRecordSetsAsync("Z1", Batch, CancellationToken.None);
        await WaitForAsync(() => transport.Seen.Count == 1);
        await AdvanceUntilAsync(clock, () => call.IsCompleted, TimeSpan.FromMilliseconds(100));
        await call;

        Assert.Equal(2, transport.Seen.Count);
        var waited = transport.Seen[1].At - transport.Seen[0].At;
        Assert.InRange(waited, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3.2));
    }

    [Fact]
    public async Task Backoff_grows_exponentially_up_to_the_cap()
    {
        var clock = new FakeTimeProvider();
        var retry = new AwsRetryOptions { MaxAttempts = 5, BaseDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromMilliseconds(700) };
        var transport = new ScriptedHandler(clock, (_, _) => new HttpResponseMessage(HttpStatusCode.InternalServerError));
        var pipeline = AwsHttpPipeline.Create(
            new BasicAWSCredentials("AKIDRETRYTEST", "secret"), RegionEndpoint.USEast1, "route53",
            new AwsRequestRateLimiter(1000, 1000, clock), retry, clock, NullLogger.Instance, transport, jitter: () => 1.0);
        using var invoker = new HttpMessageInvoker(pipeline);

        var call = invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://route53.test.invalid/2013-04-01/change/C1"), CancellationToken.None);
        await WaitForAsync(() => transport.Seen.Count == 1);
        await AdvanceUntilAsync(clock, () => call.IsCompleted, TimeSpan.FromMilliseconds(10));
        using var response = await call;

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var gaps = transport.Seen.Zip(transport.Seen.Skip(1), (a, b) => (b.At - a.At).TotalMilliseconds).ToList();

        // Full jitter at its maximum (1.0): 200, 400, then capped at 700. Fake time moves in 10 ms steps and a
        // continuation may run one step late on a busy machine, hence the small upper slack.
        Assert.Equal(4, gaps.Count);
        double[] expected = [200, 400, 700, 700];
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.InRange(gaps[i], expected[i], expected[i] + 20);
        }
    }

    [Fact]
    public async Task Each_attempt_is_signed_afresh()
    {
        var credentials = new RotatingCredentials();
        var transport = new ScriptedHandler(TimeProvider.System, (n, _) =>
            n < 3 ? ScriptedHandler.Route53Error(HttpStatusCode.BadRequest, "Throttling") : ScriptedHandler.ChangeInfoOk());
        using var client = Client(transport, credentials: credentials);

        await client.ChangeResourceRecordSetsAsync("Z1", Batch, CancellationToken.None);

        Assert.Equal(3, transport.Seen.Count);
        Assert.All(transport.Seen, s => Assert.StartsWith("AWS4-HMAC-SHA256 Credential=", s.Authorization, StringComparison.Ordinal));
        Assert.All(transport.Seen, s => Assert.NotNull(s.AmzDate));

        // Each attempt went through the signer again: it fetched credentials anew (as it must when they rotate).
        Assert.Contains("Credential=AKIDROTATING0001/", transport.Seen[0].Authorization, StringComparison.Ordinal);
        Assert.Contains("Credential=AKIDROTATING0002/", transport.Seen[1].Authorization, StringComparison.Ordinal);
        Assert.Contains("Credential=AKIDROTATING0003/", transport.Seen[2].Authorization, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_retried()
    {
        using var cts = new CancellationTokenSource();
        var transport = new ScriptedHandler(TimeProvider.System, (_, _) =>
        {
            cts.Cancel();
            throw new TaskCanceledException("caller gave up", null, cts.Token);
        });
        using var client = Client(transport);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetChangeAsync("C1", cts.Token));

        Assert.Single(transport.Seen);
    }

    [Fact]
    public async Task A_timed_out_attempt_is_retried()
    {
        var transport = new ScriptedHandler(TimeProvider.System, (n, request) =>
            n == 1 ? throw new TaskCanceledException("attempt took too long") : ScriptedHandler.ChangeInfoOk());
        using var client = Client(transport);

        await client.ChangeResourceRecordSetsAsync("Z1", Batch, CancellationToken.None);

        Assert.Equal(2, transport.Seen.Count);
    }

    internal static async Task AdvanceUntilAsync(FakeTimeProvider clock, Func<bool> done, TimeSpan step)
    {
        for (var i = 0; i < 10_000 && !done(); i++)
        {
            clock.Advance(step);

            // Let continuations scheduled by the timers run before moving time again.
            await Task.Delay(1);
        }

        Assert.True(done(), "the operation did not finish while fake time advanced");
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 5_000 && !condition(); i++)
        {
            await Task.Delay(1);
        }

        Assert.True(condition(), "the first attempt never reached the transport");
    }

    private sealed class RotatingCredentials : AWSCredentials
    {
        private int _count;

        public override ImmutableCredentials GetCredentials() =>
            new($"AKIDROTATING{Interlocked.Increment(ref _count):D4}", "secret", null);

        public override Task<ImmutableCredentials> GetCredentialsAsync() => Task.FromResult(GetCredentials());
    }
}
