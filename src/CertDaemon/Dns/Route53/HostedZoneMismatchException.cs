namespace CertDaemon.Dns.Route53;

/// <summary>The configured <c>Route53.HostedZoneId</c> names a zone that does not contain the record name.</summary>
internal sealed class HostedZoneMismatchException : Exception
{
    public HostedZoneMismatchException(string name, string hostedZoneId, string zoneName)
        : base($"{name} is not inside hosted zone {hostedZoneId} ({zoneName}) given by Route53.HostedZoneId")
    {
        Name = name;
        HostedZoneId = hostedZoneId;
        ZoneName = zoneName;
    }

    public string Name { get; }

    public string HostedZoneId { get; }

    public string ZoneName { get; }
}
