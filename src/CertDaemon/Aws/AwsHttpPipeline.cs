using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Aws;

/// <summary>
/// Builds the one handler chain every AWS wire client uses:
/// <c>AwsRetryHandler -> AwsRateLimitHandler -> SigV4SigningHandler -> transport</c>.
/// Retry is outermost so every attempt takes its own rate-limit token and is signed afresh.
/// </summary>
internal static class AwsHttpPipeline
{
    /// <param name="credentials">Signing credentials (see <see cref="AwsCredentialChain"/>).</param>
    /// <param name="region">Signing region; Route53 always signs for us-east-1.</param>
    /// <param name="service">SigV4 service name, e.g. <c>route53</c>, <c>acm</c>.</param>
    /// <param name="rateLimiter">The account's shared bucket (<see cref="AwsRequestRateLimiter.Shared"/> by default).</param>
    /// <param name="retry">Retry bounds (<see cref="AwsRetryOptions.Default"/> by default).</param>
    /// <param name="timeProvider">Clock for backoff, attempt timeouts (the signer keeps the SDK's own clock).</param>
    /// <param name="logger">Receives the AWS layer's events.</param>
    /// <param name="transport">The innermost handler; a new <see cref="SocketsHttpHandler"/> when null (tests pass fakes).</param>
    /// <param name="jitter">Backoff jitter source in [0, 1); random when null.</param>
    public static HttpMessageHandler Create(
        AWSCredentials credentials,
        RegionEndpoint region,
        string service,
        AwsRequestRateLimiter rateLimiter,
        AwsRetryOptions retry,
        TimeProvider timeProvider,
        ILogger logger,
        HttpMessageHandler? transport = null,
        Func<double>? jitter = null)
    {
        transport ??= new SocketsHttpHandler
        {
            // Long-lived clients: re-resolve DNS now and then; AWS rotates endpoint addresses.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        var signer = new SigV4SigningHandler(credentials, region, service, transport);
        var limiter = new AwsRateLimitHandler(rateLimiter, service, logger) { InnerHandler = signer };
        return new AwsRetryHandler(retry, service, timeProvider, logger, jitter) { InnerHandler = limiter };
    }

    /// <summary>An HttpClient over <see cref="Create"/> with no client-level timeout (attempts have their own).</summary>
    public static HttpClient CreateClient(HttpMessageHandler pipeline, Uri endpoint) =>
        new(pipeline, disposeHandler: true) { BaseAddress = endpoint, Timeout = Timeout.InfiniteTimeSpan };
}
