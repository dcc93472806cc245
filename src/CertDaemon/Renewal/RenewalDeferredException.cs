namespace CertDaemon.Renewal;

/// <summary>
/// A renewal that is due but must not start here now because another party is doing it (fleet mode: another
/// instance holds the certificate's lease). Not a failure: no backoff, no <c>RenewalFailed</c>; the coordinator looks
/// again at <see cref="RetryAt"/>, when the other party's result can be installed or its lease has expired.
/// </summary>
internal class RenewalDeferredException : Exception
{
    public RenewalDeferredException(string message, DateTimeOffset retryAt)
        : base(message) => RetryAt = retryAt;

    public RenewalDeferredException()
    {
    }

    public RenewalDeferredException(string message)
        : base(message)
    {
    }

    public RenewalDeferredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>When to check again.</summary>
    public DateTimeOffset RetryAt { get; }
}
