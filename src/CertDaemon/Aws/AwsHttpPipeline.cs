using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Aws;

/// <summary>
/// Builds the one handler chain every AWS wire client uses:
/// <c>AwsRetryHandler -> AwsRateLimitHandler -> SigV4SigningHandler -> AwsResponseSizeLimitHandler -> transport</c>.
/// Retry is outermost so every attempt takes its own rate-limit token and is signed afresh.
/// </summary>
/// <remarks>
/// Not built through <c>IHttpClientFactory</c>: a client is made per role and per region at run time, each chain
/// holding that identity's credentials, which the factory's named clients (configured once at registration) do not
/// model; the DNS refresh its handler rotation buys a long-running process, <see cref="SocketsHttpHandler.PooledConnectionLifetime"/>
/// already gives; and its logging handlers would add a log line per request that is in no written contract.
/// </remarks>
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
        // Innermost above the transport: every reader (the retry handler's error parsing too) reads through the bound.
        var bounded = new AwsResponseSizeLimitHandler(service) { InnerHandler = transport };
        var signer = new SigV4SigningHandler(credentials, region, service, bounded);
        var limiter = new AwsRateLimitHandler(rateLimiter, service, logger) { InnerHandler = signer };
        return new AwsRetryHandler(retry, service, timeProvider, logger, jitter) { InnerHandler = limiter };
    }

    /// <summary>
    /// The HttpClient every AWS wire client wraps: <see cref="Create"/>'s chain with the defaults filled in
    /// (<see cref="AwsRetryOptions.Default"/>, the system clock, no logging), <paramref name="endpoint"/> as base
    /// address and no client-level timeout (attempts have their own). The client owns the chain.
    /// </summary>
    public static HttpClient CreateClient(
        Uri endpoint,
        AWSCredentials credentials,
        RegionEndpoint region,
        string service,
        AwsRequestRateLimiter rateLimiter,
        AwsRetryOptions? retry,
        TimeProvider? timeProvider,
        ILogger? logger,
        HttpMessageHandler? transport)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var pipeline = Create(
            credentials, region, service, rateLimiter, retry ?? AwsRetryOptions.Default, timeProvider ?? TimeProvider.System,
            logger ?? NullLogger.Instance, transport);
        return new HttpClient(pipeline, disposeHandler: true) { BaseAddress = endpoint, Timeout = Timeout.InfiniteTimeSpan };
    }
}
