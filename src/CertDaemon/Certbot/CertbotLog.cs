using CertDaemon.Logging;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Certbot;

/// <summary>Certbot/ log events (ids 6900-6999 of the deployment range: hooks deploy to other services).</summary>
internal static partial class CertbotLog
{
    [LoggerMessage(EventId = EventIds.Deployment + 900, EventName = "CertbotHookSucceeded", Level = LogLevel.Information,
        Message = "Certificate {CertificateName}: certbot {Stage} hook {Hook} succeeded in {Duration}")]
    public static partial void CertbotHookSucceeded(ILogger logger, string certificateName, string stage, string hook, TimeSpan duration);

    [LoggerMessage(EventId = EventIds.Deployment + 901, EventName = "CertbotHookFailed", Level = LogLevel.Error,
        Message = "Certificate {CertificateName}: certbot {Stage} hook {Hook} failed: {Error}; output: {Output}")]
    public static partial void CertbotHookFailed(ILogger logger, string certificateName, string stage, string hook, string error, string output);

    [LoggerMessage(EventId = EventIds.Deployment + 902, EventName = "CertbotHooksUnreadable", Level = LogLevel.Error,
        Message = "Certificate {CertificateName}: certbot's hooks for this lineage cannot be read, none ran: {Error}")]
    public static partial void CertbotHooksUnreadable(ILogger logger, string certificateName, string error);
}
