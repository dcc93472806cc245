namespace CertDaemon.Testbed.Route53;

/// <summary>A token bucket on an injected clock: <c>rate</c> tokens per second, at most <c>burst</c> stored. Not thread-safe.</summary>
internal sealed class TokenBucket(double ratePerSecond, int burst, DateTimeOffset now)
{
    private double _tokens = burst;
    private DateTimeOffset _last = now;

    public double RatePerSecond { get; } = ratePerSecond;

    public int Burst { get; } = burst;

    public bool TryTake(DateTimeOffset now)
    {
        if (now > _last)
        {
            _tokens = Math.Min(Burst, _tokens + ((now - _last).TotalSeconds * RatePerSecond));
            _last = now;
        }

        if (_tokens >= 1)
        {
            _tokens -= 1;
            return true;
        }

        return false;
    }
}
