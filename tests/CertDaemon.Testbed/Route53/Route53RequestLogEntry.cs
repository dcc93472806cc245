namespace CertDaemon.Testbed.Route53;

/// <summary>
/// One request that reached <see cref="Operation"/>: its zone or change id (<see cref="ResourceId"/>, without prefix;
/// empty for ListHostedZonesByName) and its query parameters (e.g. <c>dnsname</c>, <c>maxitems</c>).
/// </summary>
public sealed record Route53RequestLogEntry(Route53Operation Operation, string ResourceId, IReadOnlyDictionary<string, string> Query)
{
    /// <summary>The access key id the request was signed with (SigV4 <c>Credential=</c>), or null when it was not signed.</summary>
    public string? AccessKeyId { get; init; }

    /// <summary>Whether the request carried <c>X-Amz-Security-Token</c> (temporary credentials).</summary>
    public bool HasSessionToken { get; init; }
}
