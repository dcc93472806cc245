using Microsoft.Extensions.Logging;

namespace CertDaemon.Acme;

/// <summary>
/// How long to wait between polls of an ACME resource that is still pending or processing (RFC 8555 7.5.1, 7.4):
/// the CA's Retry-After when it sends one, otherwise a backoff doubling from <see cref="AcmeClientOptions.PollInitialInterval"/>
/// up to <see cref="AcmeClientOptions.PollMaxInterval"/>, never past the deadline.
/// </summary>
/// <remarks>Contract: the last poll happens at the deadline itself; a resource still pending then raises
/// <see cref="AcmeTimeoutException"/>. What a final status means is the caller's to decide.</remarks>
internal sealed class AcmePoller(TimeProvider time, AcmeClientOptions options, ILogger logger)
{
    /// <summary>Fetches until the status is neither pending nor processing, and returns that answer.</summary>
    /// <param name="url">The polled resource (for the log and the timeout error).</param>
    /// <param name="fetch">One POST-as-GET: the resource and the Retry-After the CA sent with it.</param>
    /// <param name="statusOf">The status of a fetched resource.</param>
    /// <param name="timeout">From now to the deadline.</param>
    /// <param name="ct">Cancels the fetches and the waits.</param>
    public async Task<T> PollWhilePendingAsync<T>(
        Uri url, Func<CancellationToken, Task<(T Resource, DateTimeOffset? RetryAfter)>> fetch, Func<T, AcmeStatus> statusOf, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + timeout;
        var backoff = options.PollInitialInterval;
        while (true)
        {
            var (resource, retryAfter) = await fetch(ct);
            var status = statusOf(resource);
            if (status is not (AcmeStatus.Pending or AcmeStatus.Processing))
            {
                return resource;
            }

            backoff = await DelayBeforeNextPollAsync(url, status, retryAfter, backoff, deadline, timeout, ct);
        }
    }

    private async Task<TimeSpan> DelayBeforeNextPollAsync(
        Uri url, AcmeStatus status, DateTimeOffset? retryAfter, TimeSpan backoff, DateTimeOffset deadline, TimeSpan timeout, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (now >= deadline)
        {
            throw new AcmeTimeoutException(url, timeout, status);
        }

        // RFC 8555 7.5.1 / 7.4: honour Retry-After; without it, back off exponentially. Never sleep past the deadline:
        // one last poll happens at the deadline itself.
        var wait = retryAfter is { } at && at > now ? at - now : backoff;
        if (now + wait > deadline)
        {
            wait = deadline - now;
        }

        AcmeLog.Polling(logger, url, status, (long)wait.TotalMilliseconds);
        await Task.Delay(wait, time, ct);
        var doubled = backoff * 2;
        return doubled > options.PollMaxInterval ? options.PollMaxInterval : doubled;
    }
}
