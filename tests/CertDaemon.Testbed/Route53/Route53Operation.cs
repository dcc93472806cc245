namespace CertDaemon.Testbed.Route53;

/// <summary>The Route53 API calls the emulator serves (the ones CertDaemon's <c>IRoute53Client</c> makes).</summary>
public enum Route53Operation
{
    ListHostedZonesByName,
    GetHostedZone,
    ListResourceRecordSets,
    ChangeResourceRecordSets,
    GetChange,
}
