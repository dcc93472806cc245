namespace CertDaemon.Renewal;

/// <summary>
/// The certificate was renewed by another run (the daemon, another command) while this one waited for its lock: a new
/// serial is current that was not when this run was asked for. Ordering again would spend the CA's rate limit on a
/// duplicate, so nothing was ordered; an explicit request made after that renewal (a later <c>renew --force</c>) orders.
/// </summary>
internal sealed class RenewedMeanwhileException : RenewalDeferredException
{
    public RenewedMeanwhileException(string certificateName, string serial, DateTimeOffset issuedAt, DateTimeOffset retryAt)
        : base($"{certificateName} was renewed by another run (serial {serial}, issued {issuedAt:yyyy-MM-dd HH:mm:ss} UTC) while this one waited for its lock; not ordering it again (run the command again to force a new one)", retryAt)
    {
        Serial = serial;
    }

    public RenewedMeanwhileException()
    {
        Serial = "";
    }

    public RenewedMeanwhileException(string message)
        : base(message)
    {
        Serial = "";
    }

    public RenewedMeanwhileException(string message, Exception innerException)
        : base(message, innerException)
    {
        Serial = "";
    }

    /// <summary>The serial the other run made current.</summary>
    public string Serial { get; }
}
