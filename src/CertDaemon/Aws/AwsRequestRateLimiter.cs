namespace CertDaemon.Aws;

/// <summary>
/// A token bucket shared by every AWS request of one account in this process. Route53 allows about 5 requests per
/// second per account, shared by every tool in that account, so all Route53 clients (every role, every
/// certificate) must draw from one bucket: create one instance per account and give it to every client.
/// <see cref="Shared"/> is that instance for the common single-account daemon; DI registers it as a singleton.
/// </summary>
/// <remarks>
/// Waiters reserve their token when they arrive (the bucket may go negative), so they are served in arrival order
/// and no one starves. Time comes from the injected <see cref="TimeProvider"/>.
/// Hand-written rather than <c>System.Threading.RateLimiting.TokenBucketRateLimiter</c>: that one reads the
/// machine's clock and replenishes from its own timer, with no way to give it a <see cref="TimeProvider"/>, so its
/// waits could not follow the daemon's clock nor be driven by a fake one in tests.
/// </remarks>
internal sealed class AwsRequestRateLimiter
{
    /// <summary>The default: 5 requests per second with a burst of 5 (Route53's documented per-account rate).</summary>
    public const double DefaultRequestsPerSecond = 5;

    private readonly object _lock = new();
    private readonly TimeProvider _timeProvider;
    private double _tokens;
    private long _lastRefill;

    /// <param name="requestsPerSecond">Sustained rate; the default is 5.</param>
    /// <param name="burst">Tokens available at once after an idle period; the default is 5.</param>
    /// <param name="timeProvider">Clock for refills and waits; the default is the system clock.</param>
    public AwsRequestRateLimiter(double requestsPerSecond = DefaultRequestsPerSecond, int burst = 5, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requestsPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        RequestsPerSecond = requestsPerSecond;
        Burst = burst;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _tokens = burst;
        _lastRefill = _timeProvider.GetTimestamp();
    }

    /// <summary>The process-wide default bucket (5/s, burst 5, system clock) for clients built without DI.</summary>
    public static AwsRequestRateLimiter Shared { get; } = new();

    public double RequestsPerSecond { get; }

    public int Burst { get; }

    /// <summary>
    /// Takes one token, waiting as long as needed. Returns how long the caller waited (zero when a token was free).
    /// When cancelled while waiting, the reserved token is given back.
    /// </summary>
    public async ValueTask<TimeSpan> AcquireAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        TimeSpan wait;
        lock (_lock)
        {
            Refill();
            _tokens -= 1;
            wait = _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / RequestsPerSecond);
        }

        if (wait == TimeSpan.Zero)
        {
            return wait;
        }

        try
        {
            await Task.Delay(wait, _timeProvider, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            lock (_lock)
            {
                _tokens = Math.Min(Burst, _tokens + 1);
            }

            throw;
        }

        return wait;
    }

    private void Refill()
    {
        var now = _timeProvider.GetTimestamp();
        var elapsed = _timeProvider.GetElapsedTime(_lastRefill, now);
        _lastRefill = now;
        _tokens = Math.Min(Burst, _tokens + (elapsed.TotalSeconds * RequestsPerSecond));
    }
}
