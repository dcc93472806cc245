using Microsoft.Extensions.Logging;

namespace CertDaemon.Tests.Logging;

/// <summary>[LoggerMessage] events shaped like the product's (CONTRACT.md "Log events").</summary>
internal static partial class SampleLog
{
    [LoggerMessage(
        EventId = 2001,
        EventName = "CertificateIssued",
        Level = LogLevel.Information,
        Message = "Issued {CertificateName} for {Domains}, serial {Serial}, valid until {NotAfter}")]
    public static partial void CertificateIssued(ILogger logger, string certificateName, IReadOnlyList<string> domains, string serial, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 9999, EventName = "SecretCarrier", Level = LogLevel.Warning, Message = "Loaded {Material} with {Credentials}")]
    public static partial void SecretCarrier(ILogger logger, string material, object credentials);

    [LoggerMessage(EventId = 9998, EventName = "Chatty", Level = LogLevel.Information, Message = "Chatty {Value}")]
    public static partial void Chatty(ILogger logger, int value);
}
