using CertDaemon.Logging;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Fleet;

internal static partial class FleetLog
{
    [LoggerMessage(EventId = EventIds.Fleet + 1, EventName = "FleetCertificateInstalled", Level = LogLevel.Information,
        Message = "Installed {CertificateName} version {Version} (serial {Serial}) from the fleet store")]
    public static partial void CertificateInstalled(ILogger logger, string certificateName, string serial, int version);

    [LoggerMessage(EventId = EventIds.Fleet + 2, EventName = "FleetCertificatePublished", Level = LogLevel.Information,
        Message = "Published {CertificateName} version {Version} (serial {Serial}) to the fleet store")]
    public static partial void CertificatePublished(ILogger logger, string certificateName, string serial, int version);

    [LoggerMessage(EventId = EventIds.Fleet + 3, EventName = "FleetManifestConflict", Level = LogLevel.Warning,
        Message = "The fleet manifest of {CertificateName} changed since it was read (version {Version} is there now): this instance's update was refused and it installs the fleet's version instead")]
    public static partial void ManifestConflict(ILogger logger, string certificateName, int version);

    [LoggerMessage(EventId = EventIds.Fleet + 4, EventName = "FleetLeaseAcquired", Level = LogLevel.Information,
        Message = "Holding the fleet lease of {CertificateName} as {Holder} for {Reason} until {ExpiresAt}")]
    public static partial void LeaseAcquired(ILogger logger, string certificateName, string holder, string reason, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = EventIds.Fleet + 5, EventName = "FleetLeaseBusy", Level = LogLevel.Information,
        Message = "{Holder} holds the fleet lease of {CertificateName} ({Reason}); looking again by {Until}")]
    public static partial void LeaseBusy(ILogger logger, string certificateName, string holder, string reason, DateTimeOffset until);

    [LoggerMessage(EventId = EventIds.Fleet + 6, EventName = "FleetLeaseTakenOver", Level = LogLevel.Warning,
        Message = "Took over the expired fleet lease of {CertificateName} from {PreviousHolder} (expired {ExpiredAt}); {ChallengeCount} challenge records it journaled will be removed")]
    public static partial void LeaseTakenOver(ILogger logger, string certificateName, string previousHolder, DateTimeOffset expiredAt, int challengeCount);

    [LoggerMessage(EventId = EventIds.Fleet + 7, EventName = "FleetLeaseLost", Level = LogLevel.Warning,
        Message = "Lost the fleet lease of {CertificateName} held as {Holder}: {Why}; the work under it stops")]
    public static partial void LeaseLost(ILogger logger, string certificateName, string holder, string why);

    [LoggerMessage(EventId = EventIds.Fleet + 8, EventName = "FleetLeaseExtensionFailed", Level = LogLevel.Warning,
        Message = "Could not extend the fleet lease of {CertificateName} (expires {ExpiresAt}): {Error}")]
    public static partial void LeaseExtensionFailed(ILogger logger, Exception exception, string certificateName, string error, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = EventIds.Fleet + 9, EventName = "FleetLeaseReleased", Level = LogLevel.Debug,
        Message = "Released the fleet lease of {CertificateName} held as {Holder}")]
    public static partial void LeaseReleased(ILogger logger, string certificateName, string holder);

    [LoggerMessage(EventId = EventIds.Fleet + 10, EventName = "FleetLeaseNotReleased", Level = LogLevel.Warning,
        Message = "Could not release the fleet lease of {CertificateName}; it expires by itself: {Error}")]
    public static partial void LeaseNotReleased(ILogger logger, Exception exception, string certificateName, string error);

    [LoggerMessage(EventId = EventIds.Fleet + 11, EventName = "FleetLeaseRaceLost", Level = LogLevel.Debug,
        Message = "Another instance took the fleet lease of {CertificateName} between our read and write ({Holder} backs off)")]
    public static partial void LeaseRaceLost(ILogger logger, string certificateName, string holder);

    [LoggerMessage(EventId = EventIds.Fleet + 12, EventName = "FleetStoreUnavailable", Level = LogLevel.Warning,
        Message = "The fleet store is unavailable for {CertificateName}; the installed certificate keeps being served: {Error}")]
    public static partial void StoreUnavailable(ILogger logger, Exception exception, string certificateName, string error);

    [LoggerMessage(EventId = EventIds.Fleet + 13, EventName = "FleetAccountKeyShared", Level = LogLevel.Information,
        Message = "The ACME account key for {DirectoryUrl} is the fleet's ({Direction})")]
    public static partial void AccountKeyShared(ILogger logger, Uri directoryUrl, string direction);

    [LoggerMessage(EventId = EventIds.Fleet + 14, EventName = "FleetSyncFinished", Level = LogLevel.Information,
        Message = "Fleet sync: {Installed} installed, {Current} already current, {Missing} not in the fleet store yet, {Failed} failed")]
    public static partial void SyncFinished(ILogger logger, int installed, int current, int missing, int failed);

    [LoggerMessage(EventId = EventIds.Fleet + 15, EventName = "FleetChallengeRecordsInherited", Level = LogLevel.Information,
        Message = "Removing {Count} challenge records of {CertificateName} that the expired lease holder {PreviousHolder} journaled")]
    public static partial void ChallengeRecordsInherited(ILogger logger, string certificateName, int count, string previousHolder);

    [LoggerMessage(EventId = EventIds.Fleet + 16, EventName = "FleetLeaseJournalNotUpdated", Level = LogLevel.Warning,
        Message = "Removed challenge records of {CertificateName} stay listed in its fleet lease (the next holder finds them gone): {Error}")]
    public static partial void LeaseJournalNotUpdated(ILogger logger, Exception exception, string certificateName, string error);

    [LoggerMessage(EventId = EventIds.Fleet + 17, EventName = "FleetLeaseReclaimed", Level = LogLevel.Warning,
        Message = "Took over the fleet lease of {CertificateName} at once: {PreviousHolder}, a previous process of this instance, is gone (lease valid until {ExpiresAt}); {ChallengeCount} challenge records it journaled will be removed")]
    public static partial void LeaseReclaimed(ILogger logger, string certificateName, string previousHolder, DateTimeOffset expiresAt, int challengeCount);

    [LoggerMessage(EventId = EventIds.Fleet + 18, EventName = "FleetVersionsDeleted", Level = LogLevel.Information,
        Message = "Deleted the fleet store's files of {CertificateName} versions {Versions} (older than Store.KeepVersions)")]
    public static partial void VersionsDeleted(ILogger logger, string certificateName, string versions);

    [LoggerMessage(EventId = EventIds.Fleet + 19, EventName = "FleetVersionsNotDeleted", Level = LogLevel.Warning,
        Message = "Could not delete the fleet store's files of {CertificateName} versions {Versions} (they stay, unused; an S3 lifecycle rule can remove them): {Error}")]
    public static partial void VersionsNotDeleted(ILogger logger, Exception exception, string certificateName, string versions, string error);
}
