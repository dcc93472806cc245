using Microsoft.Extensions.Logging;

namespace CertDaemon.Aws;

/// <summary>Takes a token from the shared <see cref="AwsRequestRateLimiter"/> before each attempt goes out.</summary>
internal sealed class AwsRateLimitHandler(AwsRequestRateLimiter limiter, string service, ILogger logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var waited = await limiter.AcquireAsync(cancellationToken);
        if (waited > TimeSpan.Zero)
        {
            AwsLog.RequestRateLimited(logger, service, AwsRequestOptions.GetOperation(request), waited);
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
