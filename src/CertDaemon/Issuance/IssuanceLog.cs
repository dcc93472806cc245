using CertDaemon.Logging;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Issuance;

internal static partial class IssuanceLog
{
    [LoggerMessage(EventId = EventIds.Issuance + 1, EventName = "CertificateIssued", Level = LogLevel.Information,
        Message = "Certificate {CertificateName} issued for {Domains}: serial {Serial}, valid until {NotAfter:O}")]
    public static partial void CertificateIssued(ILogger logger, string certificateName, IReadOnlyList<string> domains, string serial, DateTimeOffset notAfter);

    [LoggerMessage(EventId = EventIds.Issuance + 7, EventName = "DryRunSucceeded", Level = LogLevel.Information,
        Message = "Dry run for {CertificateName} succeeded for {Domains}: serial {Serial}, valid until {NotAfter:O}, discarded")]
    public static partial void DryRunSucceeded(ILogger logger, string certificateName, IReadOnlyList<string> domains, string serial, DateTimeOffset notAfter);

    [LoggerMessage(EventId = EventIds.Issuance + 2, EventName = "OrderCreated", Level = LogLevel.Information,
        Message = "Order {OrderUrl} created for {CertificateName} ({IdentifierCount} names, profile {Profile}, replaces {Replaces})")]
    public static partial void OrderCreated(ILogger logger, string certificateName, Uri orderUrl, int identifierCount, string? profile, string? replaces);

    [LoggerMessage(EventId = EventIds.Issuance + 3, EventName = "AuthorizationsReused", Level = LogLevel.Information,
        Message = "{CertificateName}: {ReusedCount} of {TotalCount} authorizations already valid, {PendingCount} to solve")]
    public static partial void AuthorizationsReused(ILogger logger, string certificateName, int reusedCount, int totalCount, int pendingCount);

    [LoggerMessage(EventId = EventIds.Issuance + 4, EventName = "ChallengeCleanupFailed", Level = LogLevel.Warning,
        Message = "{CertificateName}: removing the challenge records failed; they are journaled and removed on the next run")]
    public static partial void ChallengeCleanupFailed(ILogger logger, Exception exception, string certificateName);

    [LoggerMessage(EventId = EventIds.Issuance + 5, EventName = "ReplacesRefused", Level = LogLevel.Information,
        Message = "{CertificateName}: the CA says {Replaces} was already replaced; ordering again without 'replaces'")]
    public static partial void ReplacesRefused(ILogger logger, string certificateName, string replaces);

    [LoggerMessage(EventId = EventIds.Issuance + 6, EventName = "PreferredChainNotOffered", Level = LogLevel.Warning,
        Message = "{CertificateName}: no chain issued by {PreferredChainIssuer} was offered; using the CA's default chain")]
    public static partial void PreferredChainNotOffered(ILogger logger, string certificateName, string preferredChainIssuer);

    [LoggerMessage(EventId = EventIds.Issuance + 9, EventName = "AccountFileSetAside", Level = LogLevel.Warning,
        Message = "ACME account file {Path} cannot be used with the account key ({Reason}); kept as {SetAsidePath}, registering the key")]
    public static partial void AccountFileSetAside(ILogger logger, string path, string reason, string setAsidePath);

    [LoggerMessage(EventId = EventIds.Issuance + 8, EventName = "AccountReRegistered", Level = LogLevel.Warning,
        Message = "The CA at {DirectoryUrl} no longer knows account {OldAccountUrl} (accountDoesNotExist); registered the same key again as {AccountUrl}")]
    public static partial void AccountReRegistered(ILogger logger, Uri directoryUrl, Uri oldAccountUrl, Uri accountUrl);
}
