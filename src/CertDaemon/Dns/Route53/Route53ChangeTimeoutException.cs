namespace CertDaemon.Dns.Route53;

/// <summary>A Route53 change did not reach INSYNC within the propagation timeout.</summary>
internal sealed class Route53ChangeTimeoutException : Exception
{
    public Route53ChangeTimeoutException(string zone, string hostedZoneId, string changeId, TimeSpan timeout)
        : base($"Route53 change {changeId} in zone {zone} ({hostedZoneId}) was still PENDING after {timeout}")
    {
        Zone = zone;
        HostedZoneId = hostedZoneId;
        ChangeId = changeId;
        Timeout = timeout;
    }

    public string Zone { get; }

    public string HostedZoneId { get; }

    public string ChangeId { get; }

    public TimeSpan Timeout { get; }
}
