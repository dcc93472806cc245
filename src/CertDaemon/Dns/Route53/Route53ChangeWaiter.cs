using CertDaemon.Aws;
using CertDaemon.Aws.Route53;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Dns.Route53;

/// <summary>
/// Polls GetChange with growing intervals (x1.5, capped) until a change is INSYNC, i.e. Route53 has pushed it to
/// every one of its nameservers, or the publication deadline passes.
/// </summary>
internal sealed class Route53ChangeWaiter(
    IRoute53Client route53, TimeSpan initialPollInterval, TimeSpan maxPollInterval, TimeSpan propagationTimeout, TimeProvider time, ILogger logger)
{
    /// <exception cref="Route53ChangeTimeoutException">The change stayed PENDING until <paramref name="deadline"/>.</exception>
    public async Task WaitInSyncAsync(
        string zoneName, string zoneId, ChangeInfo change, DateTimeOffset started, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var interval = initialPollInterval;
        var status = change.Status;
        while (status != ChangeStatus.InSync)
        {
            var remaining = deadline - time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                throw new Route53ChangeTimeoutException(zoneName, zoneId, change.Id, propagationTimeout);
            }

            await Task.Delay(interval < remaining ? interval : remaining, time, cancellationToken);
            // x1.5: an INSYNC that arrives between two polls is seen at most half an interval late.
            interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 3 / 2, maxPollInterval.Ticks));
            try
            {
                status = (await route53.GetChangeAsync(change.Id, cancellationToken)).Status;
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                // The client already retried this poll; the change itself is accepted. Until the propagation
                // deadline an unanswered poll only means "not known to be INSYNC yet", never a failed order.
                logger.ChallengeChangePollFailed(e, zoneName, change.Id);
            }
        }

        logger.ChallengeChangeInSync(zoneName, change.Id, time.GetUtcNow() - started);
    }

    private static bool IsTransient(Exception exception, CancellationToken cancellationToken) =>
        exception switch
        {
            AwsServiceException aws => aws.IsRetryable,
            HttpRequestException or IOException => true,
            OperationCanceledException => !cancellationToken.IsCancellationRequested,
            _ => false,
        };
}
