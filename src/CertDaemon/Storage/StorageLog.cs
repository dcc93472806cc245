using CertDaemon.Logging;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Storage;

/// <summary>Storage/ log events (ids 5000-5999). Names are stable; never log key material.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(EventId = EventIds.Storage + 1, EventName = "LiveSwitched", Level = LogLevel.Information,
        Message = "Certificate {CertificateName}: live set switched to version {Version} (was {PreviousVersion})")]
    public static partial void LiveSwitched(ILogger logger, string certificateName, int version, int? previousVersion);

    [LoggerMessage(EventId = EventIds.Storage + 2, EventName = "CertbotLineageAdopted", Level = LogLevel.Information,
        Message = "Certificate {CertificateName}: adopted certbot's lineage; its versions up to {CertbotVersion} stay untouched, CertDaemon continues at {FirstVersion}")]
    public static partial void CertbotLineageAdopted(ILogger logger, string certificateName, int certbotVersion, int firstVersion);

    [LoggerMessage(EventId = EventIds.Storage + 3, EventName = "CertificateCommitFailed", Level = LogLevel.Warning,
        Message = "Certificate {CertificateName}: storing version {Version} failed at {Step}; live set unchanged (version {LiveVersion}): {Error}")]
    public static partial void CommitFailed(ILogger logger, string certificateName, int version, string step, int? liveVersion, string error);

    [LoggerMessage(EventId = EventIds.Storage + 4, EventName = "VersionPruned", Level = LogLevel.Information,
        Message = "Certificate {CertificateName}: removed old version {Version}")]
    public static partial void VersionPruned(ILogger logger, string certificateName, int version);

    [LoggerMessage(EventId = EventIds.Storage + 5, EventName = "PostSwitchStepFailed", Level = LogLevel.Warning,
        Message = "Certificate {CertificateName}: version {Version} is live, but {Step} failed and is retried on the next start: {Error}")]
    public static partial void PostSwitchStepFailed(ILogger logger, string certificateName, int version, string step, string error);

    [LoggerMessage(EventId = EventIds.Storage + 6, EventName = "StoreRecovered", Level = LogLevel.Warning,
        Message = "Certificate {CertificateName}: unfinished work found on start: {Outcome}; live version {LiveVersion}; removed {Removed}")]
    public static partial void Recovered(ILogger logger, string certificateName, RecoveryOutcome outcome, int? liveVersion, IReadOnlyList<string> removed);

    [LoggerMessage(EventId = EventIds.Storage + 7, EventName = "CleanupFailed", Level = LogLevel.Warning,
        Message = "Certificate {CertificateName}: could not remove {Path}; the next start retries: {Error}")]
    public static partial void CleanupFailed(ILogger logger, string certificateName, string path, string error);

    [LoggerMessage(EventId = EventIds.Storage + 8, EventName = "PermissionsTightened", Level = LogLevel.Warning,
        Message = "{Path} was accessible to group or others ({OldMode}); set to {NewMode}")]
    public static partial void PermissionsTightened(ILogger logger, string path, UnixFileMode oldMode, UnixFileMode newMode);

    [LoggerMessage(EventId = EventIds.Storage + 9, EventName = "RenameExchangeUnsupported", Level = LogLevel.Warning,
        Message = "Certificate {CertificateName}: the file system cannot swap entries atomically ({Reason}); converting certbot's live directory in two renames")]
    public static partial void RenameExchangeUnsupported(ILogger logger, string certificateName, string reason);

    [LoggerMessage(EventId = EventIds.Storage + 10, EventName = "CertificateStateUnreadable", Level = LogLevel.Error,
        Message = "Certificate {CertificateName}: state file {Path} is unreadable and is treated as empty: {Error}")]
    public static partial void StateUnreadable(ILogger logger, string certificateName, string path, string error);

    [LoggerMessage(EventId = EventIds.Storage + 40, EventName = "DirectoryWritableByOthers", Level = LogLevel.Warning,
        Message = "{Path} can be written by group or others ({Mode}); left as the operator set it, but anyone who can write there can replace certificates")]
    public static partial void DirectoryWritableByOthers(ILogger logger, string path, UnixFileMode mode);

    [LoggerMessage(EventId = EventIds.Storage + 11, EventName = "CertificateStateSetAside", Level = LogLevel.Error,
        Message = "Certificate {CertificateName}: state file {Path} is unreadable ({Error}); kept as {SetAsidePath} and rebuilt from the live files")]
    public static partial void StateSetAside(ILogger logger, string certificateName, string path, string setAsidePath, string error);

    [LoggerMessage(EventId = EventIds.Storage + 60, EventName = "CertificateLockWaiting", Level = LogLevel.Information,
        Message = "Certificate {CertificateName}: another run holds {LockPath}; waiting for it (up to {Timeout})")]
    public static partial void CertificateLockWaiting(ILogger logger, string certificateName, string lockPath, TimeSpan timeout);

    [LoggerMessage(EventId = EventIds.Storage + 61, EventName = "LiveRepaired", Level = LogLevel.Warning,
        Message = "Certificate {CertificateName}: the live files of version {Version} were broken ({Problems}); restored from the archive: {Repairs}")]
    public static partial void LiveRepaired(ILogger logger, string certificateName, int version, string problems, string repairs);
}
