using CertDaemon.Logging;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Renewal;

internal static partial class LifecycleLog
{
    [LoggerMessage(EventId = EventIds.Renewal + 50, EventName = "StateNotRecorded", Level = LogLevel.Error,
        Message = "The state of {CertificateName} could not be saved; status may show stale information")]
    public static partial void StateNotRecorded(ILogger logger, Exception exception, string certificateName);

    [LoggerMessage(EventId = EventIds.Renewal + 51, EventName = "LeftoverChallengeRecordsKept", Level = LogLevel.Warning,
        Message = "Challenge records a crashed run of {CertificateName} left behind could not be removed yet; they stay journaled")]
    public static partial void LeftoverChallengeRecordsKept(ILogger logger, Exception exception, string certificateName);

    [LoggerMessage(EventId = EventIds.Renewal + 60, EventName = "ForeignRenewalDetected", Level = LogLevel.Warning,
        Message = "Certificate {CertificateName}: version {Version} (serial {Serial}, not after {NotAfter}) in the lineage was not written by CertDaemon: another tool (certbot?) still renews this lineage. It is now the current, live certificate and the next renewal is planned from it; stop the other renewer (certdaemon import-certbot --disable-certbot)")]
    public static partial void ForeignRenewalDetected(ILogger logger, string certificateName, string serial, int version, DateTimeOffset notAfter);

    [LoggerMessage(EventId = EventIds.Renewal + 61, EventName = "LiveCertificateAdopted", Level = LogLevel.Information,
        Message = "Certificate {CertificateName}: taking certbot's live version {Version} (serial {Serial}, not after {NotAfter}) as the current certificate until CertDaemon renews it")]
    public static partial void LiveCertificateAdopted(ILogger logger, string certificateName, string serial, int version, DateTimeOffset notAfter);

    [LoggerMessage(EventId = EventIds.Renewal + 62, EventName = "ForeignCertificateUnusable", Level = LogLevel.Warning,
        Message = "Certificate {CertificateName}: the live certificate CertDaemon did not write cannot be used: {Error}")]
    public static partial void ForeignCertificateUnusable(ILogger logger, string certificateName, string error);

    [LoggerMessage(EventId = EventIds.Renewal + 63, EventName = "ForeignVersionIgnored", Level = LogLevel.Warning,
        Message = "Certificate {CertificateName}: archive version {Version}, not written by CertDaemon, is not taken as the current certificate (left as it is; its number is never reused): {Error}")]
    public static partial void ForeignVersionIgnored(ILogger logger, string certificateName, int version, string error);

    [LoggerMessage(EventId = EventIds.Renewal + 52, EventName = "InterruptedRunReconciled", Level = LogLevel.Warning,
        Message = "Certificate {CertificateName}: version {Version} (serial {Serial}) is live but was never recorded (a run was interrupted after the live switch); recorded it and deploying it to every target that does not hold it")]
    public static partial void InterruptedRunReconciled(ILogger logger, string certificateName, int version, string serial);

    [LoggerMessage(EventId = EventIds.Renewal + 77, EventName = "LiveNotRestored", Level = LogLevel.Warning,
        Message = "Certificate {CertificateName}: its live files could not be restored ({Error}); the new certificate replaces them")]
    public static partial void LiveNotRestored(ILogger logger, string certificateName, string error);
}
