namespace CertDaemon.Dns.Route53;

/// <summary>
/// Route53's per-request limits for ChangeResourceRecordSets; an UPSERT counts twice against each of them.
/// </summary>
/// <param name="MaxChanges">Changes per request. The default value is 100.</param>
/// <param name="MaxRecords">Values (ResourceRecord elements) per request. The default value is 1000.</param>
/// <param name="MaxValueCharacters">Characters in all Value elements of a request. The default value is 32000.</param>
internal sealed record Route53ChangeLimits(int MaxChanges = 100, int MaxRecords = 1000, int MaxValueCharacters = 32000)
{
    public static Route53ChangeLimits Default { get; } = new();
}
