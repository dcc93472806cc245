namespace CertDaemon.Aws.Route53;

/// <summary>A hosted zone; <see cref="Id"/> without the <c>/hostedzone/</c> prefix, <see cref="Name"/> with trailing dot.</summary>
internal sealed record HostedZone(string Id, string Name, bool PrivateZone, long ResourceRecordSetCount);

/// <summary>GetHostedZone's answer: the zone and the names of its authoritative servers (empty for private zones).</summary>
internal sealed record HostedZoneDetails(HostedZone Zone, IReadOnlyList<string> NameServers);

/// <summary>A record set as on the wire: TXT values are quoted strings, names carry a trailing dot.</summary>
internal sealed record ResourceRecordSet(string Name, string Type, long? Ttl, IReadOnlyList<string> Values);

/// <summary>One page of ListResourceRecordSets; when truncated, continue from NextRecordName/NextRecordType.</summary>
internal sealed record ResourceRecordSetPage(
    IReadOnlyList<ResourceRecordSet> RecordSets, bool IsTruncated, string? NextRecordName, string? NextRecordType);

internal enum ChangeAction
{
    Create,
    Delete,
    Upsert,
}

internal sealed record ResourceRecordSetChange(ChangeAction Action, ResourceRecordSet RecordSet);

internal sealed record ChangeBatch(IReadOnlyList<ResourceRecordSetChange> Changes, string? Comment = null);

internal enum ChangeStatus
{
    Pending,
    InSync,
}

/// <summary>A submitted change; <see cref="Id"/> without the <c>/change/</c> prefix.</summary>
internal sealed record ChangeInfo(string Id, ChangeStatus Status, DateTimeOffset SubmittedAt);
