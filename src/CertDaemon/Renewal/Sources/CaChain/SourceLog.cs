using CertDaemon.Logging;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Renewal.Sources.CaChain;

/// <summary>CA chain events (EventIds 11000-11049 of the Renewal/Sources range).</summary>
internal static partial class SourceLog
{
    [LoggerMessage(EventId = EventIds.Sources + 1, EventName = "CertificateAuthorityFallback", Level = LogLevel.Warning,
        Message = "Issuing {CertificateName} at the {FailedRole} CA {FailedCa} failed: {Error}; {Decision}; trying the {NextRole} CA {NextCa}")]
    public static partial void FallingBack(ILogger logger, string certificateName, string failedRole, Uri failedCa, string error, string decision, string nextRole, Uri nextCa);

    [LoggerMessage(EventId = EventIds.Sources + 2, EventName = "CertificateAuthorityRetry", Level = LogLevel.Information,
        Message = "Issuing {CertificateName} at the {Role} CA {Ca} failed: {Error}; {Decision}")]
    public static partial void RetryingSameCa(ILogger logger, string certificateName, string role, Uri ca, string error, string decision);

    [LoggerMessage(EventId = EventIds.Sources + 3, EventName = "CertificateAuthorityNoFallback", Level = LogLevel.Warning,
        Message = "Issuing {CertificateName} at the {Role} CA {Ca} failed: {Error}; {Decision}")]
    public static partial void NotFallingBack(ILogger logger, string certificateName, string role, Uri ca, string error, string decision);

    [LoggerMessage(EventId = EventIds.Sources + 4, EventName = "CertificateIssuedByFallback", Level = LogLevel.Warning,
        Message = "{CertificateName} was issued by the {Role} CA {Ca}, not the primary; the next renewal tries the primary CA first")]
    public static partial void IssuedByFallback(ILogger logger, string certificateName, string role, Uri ca);
}
