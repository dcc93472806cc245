using CertDaemon.Logging;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Dns;

/// <summary>Dns/ events (EventIds 3000-3999). Event names are stable: monitoring alerts on them.</summary>
internal static partial class DnsLog
{
    [LoggerMessage(EventId = EventIds.Dns + 1, EventName = "ChallengeRecordsPublished", Level = LogLevel.Information,
        Message = "Published challenge TXT records in zone {Zone} as change {ChangeId}: {Names}")]
    public static partial void ChallengeRecordsPublished(this ILogger logger, string zone, string changeId, IReadOnlyList<string> names);

    [LoggerMessage(EventId = EventIds.Dns + 2, EventName = "ChallengeChangeInSync", Level = LogLevel.Debug,
        Message = "Route53 change {ChangeId} in zone {Zone} is INSYNC after {Elapsed}")]
    public static partial void ChallengeChangeInSync(this ILogger logger, string zone, string changeId, TimeSpan elapsed);

    [LoggerMessage(EventId = EventIds.Dns + 3, EventName = "ChallengeRecordsPropagated", Level = LogLevel.Information,
        Message = "Challenge TXT records in zone {Zone} are answered by every nameserver ({Nameservers}) after {Elapsed}")]
    public static partial void ChallengeRecordsPropagated(this ILogger logger, string zone, IReadOnlyList<string> nameservers, TimeSpan elapsed);

    [LoggerMessage(EventId = EventIds.Dns + 4, EventName = "ChallengeRecordsNotYetVisible", Level = LogLevel.Debug,
        Message = "Zone {Zone}: {MissingCount} challenge values not yet answered by {Nameservers}")]
    public static partial void ChallengeRecordsNotYetVisible(this ILogger logger, string zone, int missingCount, IReadOnlyList<string> nameservers);

    [LoggerMessage(EventId = EventIds.Dns + 5, EventName = "ChallengeRecordsRemoved", Level = LogLevel.Information,
        Message = "Removed challenge TXT values in zone {Zone} as change {ChangeId}: {Names}")]
    public static partial void ChallengeRecordsRemoved(this ILogger logger, string zone, string changeId, IReadOnlyList<string> names);

    [LoggerMessage(EventId = EventIds.Dns + 6, EventName = "ChallengeCleanUpFailed", Level = LogLevel.Error,
        Message = "Could not remove challenge TXT values in zone {Zone} at {Names}; they stay in the journal for the next run")]
    public static partial void ChallengeCleanUpFailed(this ILogger logger, Exception exception, string zone, IReadOnlyList<string> names);

    [LoggerMessage(EventId = EventIds.Dns + 7, EventName = "ChallengeCnameFollowed", Level = LogLevel.Information,
        Message = "Challenge name {RecordName} is delegated by CNAME to {TargetName}")]
    public static partial void ChallengeCnameFollowed(this ILogger logger, string recordName, string targetName);

    [LoggerMessage(EventId = EventIds.Dns + 8, EventName = "ChallengeJournalRecovering", Level = LogLevel.Warning,
        Message = "Removing {Count} challenge TXT values left by an earlier run in zones {Zones}")]
    public static partial void ChallengeJournalRecovering(this ILogger logger, int count, IReadOnlyList<string> zones);

    [LoggerMessage(EventId = EventIds.Dns + 9, EventName = "HostedZoneResolved", Level = LogLevel.Debug,
        Message = "Name {Name} belongs to hosted zone {Zone} ({HostedZoneId})")]
    public static partial void HostedZoneResolved(this ILogger logger, string name, string zone, string hostedZoneId);

    [LoggerMessage(EventId = EventIds.Dns + 10, EventName = "ChallengeCleanUpNothingToDo", Level = LogLevel.Debug,
        Message = "Nothing to remove for {Names}: {Reason}")]
    public static partial void ChallengeCleanUpNothingToDo(this ILogger logger, IReadOnlyList<string> names, string reason);

    [LoggerMessage(EventId = EventIds.Dns + 11, EventName = "PropagationCheckSkipped", Level = LogLevel.Warning,
        Message = "Zone {Zone} has no authoritative nameservers to ask (private zone) and Dns.Nameservers is empty: relying on INSYNC only")]
    public static partial void PropagationCheckSkipped(this ILogger logger, string zone);

    [LoggerMessage(EventId = EventIds.Dns + 12, EventName = "ChallengeJournalUnreadable", Level = LogLevel.Warning,
        Message = "The DNS challenge journal cannot be read; cleaning up by looking the names up again")]
    public static partial void ChallengeJournalUnreadable(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = EventIds.Dns + 13, EventName = "ChallengeChangePollFailed", Level = LogLevel.Warning,
        Message = "Asking Route53 about change {ChangeId} in zone {Zone} failed even after retries; polling again until the propagation deadline")]
    public static partial void ChallengeChangePollFailed(this ILogger logger, Exception exception, string zone, string changeId);

    [LoggerMessage(EventId = EventIds.Dns + 14, EventName = "ChallengeRecordSetChangedMeanwhile", Level = LogLevel.Information,
        Message = "Another writer changed a TXT set of {Names} in hosted zone {HostedZoneId} between our read and our write (attempt {Attempt}: {Error}); reading it again and merging")]
    public static partial void ChallengeRecordSetChangedMeanwhile(this ILogger logger, string hostedZoneId, IReadOnlyList<string> names, int attempt, string error);
}
