namespace CertDaemon.Aws.Route53;

/// <summary>
/// Typed Route53 API (REST-XML, 2013-04-01), one method per API call, nothing more.
/// </summary>
/// <remarks>
/// Contract: every call is signed (SigV4, service <c>route53</c>, region us-east-1), passes the process-wide
/// rate limiter, and retries <c>Throttling</c>, <c>PriorRequestNotComplete</c>, 5xx and dropped connections with
/// bounded jittered backoff before giving up. Any other error surfaces as <see cref="AwsServiceException"/> with
/// the service's code, message and request id; it is never retried. Ids are passed and returned <b>without</b> the
/// <c>/hostedzone/</c> and <c>/change/</c> prefixes. Names are returned as Route53 spells them (trailing dot,
/// <c>\052</c> for <c>*</c>); TXT values are the wire form (quoted strings).
/// </remarks>
internal interface IRoute53Client
{
    /// <summary>ListHostedZonesByName starting at <paramref name="dnsName"/> (zones in reversed-label order from there).</summary>
    Task<IReadOnlyList<HostedZone>> ListHostedZonesByNameAsync(string dnsName, int maxItems, CancellationToken cancellationToken);

    /// <summary>GetHostedZone: the zone and its delegation set (authoritative name servers).</summary>
    Task<HostedZoneDetails> GetHostedZoneAsync(string hostedZoneId, CancellationToken cancellationToken);

    /// <summary>ListResourceRecordSets, one page; <paramref name="startName"/>/<paramref name="startType"/> continue a previous page.</summary>
    Task<ResourceRecordSetPage> ListResourceRecordSetsAsync(
        string hostedZoneId, string? startName, string? startType, int? maxItems, CancellationToken cancellationToken);

    /// <summary>ChangeResourceRecordSets: the batch is applied atomically or not at all.</summary>
    Task<ChangeInfo> ChangeResourceRecordSetsAsync(string hostedZoneId, ChangeBatch batch, CancellationToken cancellationToken);

    /// <summary>GetChange: PENDING until every Route53 server has the change, then INSYNC.</summary>
    Task<ChangeInfo> GetChangeAsync(string changeId, CancellationToken cancellationToken);
}
