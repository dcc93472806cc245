using CertDaemon.Logging;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Acme;

/// <summary>[LoggerMessage] events of the ACME protocol layer (EventIds 1000-1999). Never logs keys, nonces or EAB secrets.</summary>
internal static partial class AcmeLog
{
    [LoggerMessage(EventId = EventIds.Acme + 1, EventName = "AcmeDirectoryFetched", Level = LogLevel.Debug,
        Message = "ACME directory {DirectoryUrl} fetched (renewalInfo: {HasRenewalInfo}, profiles: {ProfileCount})")]
    public static partial void DirectoryFetched(ILogger logger, Uri directoryUrl, bool hasRenewalInfo, int profileCount);

    [LoggerMessage(EventId = EventIds.Acme + 2, EventName = "AcmeBadNonceRetry", Level = LogLevel.Debug,
        Message = "badNonce from {RequestUrl}; re-signing with a fresh nonce (attempt {Attempt} of {MaxAttempts})")]
    public static partial void BadNonceRetry(ILogger logger, Uri requestUrl, int attempt, int maxAttempts);

    [LoggerMessage(EventId = EventIds.Acme + 3, EventName = "AcmeAccountCreated", Level = LogLevel.Information,
        Message = "ACME account {AccountUrl} created")]
    public static partial void AccountCreated(ILogger logger, Uri accountUrl);

    [LoggerMessage(EventId = EventIds.Acme + 4, EventName = "AcmeAccountExisting", Level = LogLevel.Information,
        Message = "ACME account key is already registered as {AccountUrl}")]
    public static partial void AccountExisting(ILogger logger, Uri accountUrl);

    [LoggerMessage(EventId = EventIds.Acme + 5, EventName = "AcmeAccountNotFound", Level = LogLevel.Information,
        Message = "no ACME account is registered for this key at {DirectoryUrl}")]
    public static partial void AccountNotFound(ILogger logger, Uri directoryUrl);

    [LoggerMessage(EventId = EventIds.Acme + 6, EventName = "AcmeAccountContactUpdated", Level = LogLevel.Information,
        Message = "ACME account {AccountUrl} contact updated ({ContactCount} entries)")]
    public static partial void ContactUpdated(ILogger logger, Uri accountUrl, int contactCount);

    [LoggerMessage(EventId = EventIds.Acme + 7, EventName = "AcmeAccountKeyChanged", Level = LogLevel.Warning,
        Message = "ACME account {AccountUrl} key rolled over to thumbprint {Thumbprint}")]
    public static partial void AccountKeyChanged(ILogger logger, Uri accountUrl, string thumbprint);

    [LoggerMessage(EventId = EventIds.Acme + 8, EventName = "AcmeOrderCreated", Level = LogLevel.Information,
        Message = "ACME order {OrderUrl} created for {Domains} ({Status})")]
    public static partial void OrderCreated(ILogger logger, Uri orderUrl, string domains, AcmeStatus status);

    [LoggerMessage(EventId = EventIds.Acme + 9, EventName = "AcmePolling", Level = LogLevel.Debug,
        Message = "{ResourceUrl} is {Status}; polling again in {DelayMilliseconds} ms")]
    public static partial void Polling(ILogger logger, Uri resourceUrl, AcmeStatus status, long delayMilliseconds);

    [LoggerMessage(EventId = EventIds.Acme + 10, EventName = "AcmeValidationFailed", Level = LogLevel.Warning,
        Message = "validation of {Identifier} failed: {Reason}")]
    public static partial void ValidationFailed(ILogger logger, string identifier, string reason);

    [LoggerMessage(EventId = EventIds.Acme + 11, EventName = "AcmeOrderFinalized", Level = LogLevel.Information,
        Message = "ACME order {OrderUrl} finalized ({Status})")]
    public static partial void OrderFinalized(ILogger logger, Uri orderUrl, AcmeStatus status);

    [LoggerMessage(EventId = EventIds.Acme + 12, EventName = "AcmeCertificateDownloaded", Level = LogLevel.Information,
        Message = "certificate {CertificateUrl} downloaded with {ChainCount} chain(s)")]
    public static partial void CertificateDownloaded(ILogger logger, Uri certificateUrl, int chainCount);

    [LoggerMessage(EventId = EventIds.Acme + 13, EventName = "AcmeCertificateRevoked", Level = LogLevel.Warning,
        Message = "certificate {Serial} revoked (reason {Reason})")]
    public static partial void CertificateRevoked(ILogger logger, string serial, string reason);

    [LoggerMessage(EventId = EventIds.Acme + 14, EventName = "AcmeRenewalInfoFetched", Level = LogLevel.Debug,
        Message = "renewal info for {CertId}: window {WindowStart} - {WindowEnd}, explanation {ExplanationUrl}")]
    public static partial void RenewalInfoFetched(ILogger logger, string certId, DateTimeOffset windowStart, DateTimeOffset windowEnd, Uri? explanationUrl);

    [LoggerMessage(EventId = EventIds.Acme + 15, EventName = "AcmeProblemReceived", Level = LogLevel.Debug,
        Message = "ACME problem {ProblemType} from {Method} {RequestUrl} (HTTP {HttpStatus})")]
    public static partial void ProblemReceived(ILogger logger, string problemType, string method, Uri requestUrl, int httpStatus);

    [LoggerMessage(EventId = EventIds.Acme + 16, EventName = "AcmeRateLimited", Level = LogLevel.Warning,
        Message = "ACME rate limit at {RequestUrl}: {Detail} (retry after {RetryAfter})")]
    public static partial void RateLimited(ILogger logger, Uri requestUrl, string? detail, DateTimeOffset? retryAfter);
}
