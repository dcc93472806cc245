using CertDaemon.Logging;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Deployment;

/// <summary>
/// Deployment events. nginx and deploy hooks use 6001-6099; ACM takes 6100-6199, so the two targets can grow
/// without renumbering. <c>NginxReloaded</c> and <c>ServedCertificateMismatch</c> are part of the operator contract.
/// </summary>
internal static partial class DeploymentLog
{
    [LoggerMessage(EventId = EventIds.Deployment + 1, EventName = "NginxReloaded", Level = LogLevel.Information,
        Message = "nginx reloaded for {CertificateName}: serial {Serial}")]
    public static partial void NginxReloaded(ILogger logger, string certificateName, string serial);

    [LoggerMessage(EventId = EventIds.Deployment + 2, EventName = "ServedCertificateMismatch", Level = LogLevel.Warning,
        Message = "{CertificateName}: {Address} serves serial {Served} for {ServerName}, expected {Expected}; nginx may be configured to serve other files")]
    public static partial void ServedCertificateMismatch(ILogger logger, string certificateName, string expected, string served, string serverName, string address);

    [LoggerMessage(EventId = EventIds.Deployment + 3, EventName = "NginxConfigurationTestFailed", Level = LogLevel.Error,
        Message = "{CertificateName}: nginx configuration test failed for serial {Serial}, nginx not reloaded: {Result}\n{Output}")]
    public static partial void NginxConfigurationTestFailed(ILogger logger, string certificateName, string serial, string result, string output);

    [LoggerMessage(EventId = EventIds.Deployment + 4, EventName = "LiveVersionRollback", Level = LogLevel.Warning,
        Message = "{CertificateName}: serial {Serial} not deployed; {Rollback}")]
    public static partial void LiveVersionRollback(ILogger logger, string certificateName, string serial, string rollback);

    [LoggerMessage(EventId = EventIds.Deployment + 5, EventName = "NginxReloadFailed", Level = LogLevel.Error,
        Message = "{CertificateName}: nginx configuration test passed for serial {Serial} but the reload failed: {Result}\n{Output}")]
    public static partial void NginxReloadFailed(ILogger logger, string certificateName, string serial, string result, string output);

    [LoggerMessage(EventId = EventIds.Deployment + 6, EventName = "ServedCertificateVerified", Level = LogLevel.Debug,
        Message = "{CertificateName}: {Address} serves serial {Serial} for {ServerName} (after {Attempts} attempts)")]
    public static partial void ServedCertificateVerified(ILogger logger, string certificateName, string serial, string serverName, string address, int attempts);

    [LoggerMessage(EventId = EventIds.Deployment + 7, EventName = "ServedCertificateUnverified", Level = LogLevel.Warning,
        Message = "{CertificateName}: could not check the certificate served for {ServerName}: {Error}")]
    public static partial void ServedCertificateUnverified(ILogger logger, string certificateName, string serverName, string error);

    [LoggerMessage(EventId = EventIds.Deployment + 9, EventName = "NginxDeploymentsShared", Level = LogLevel.Information,
        Message = "{Count} certificates share one nginx configuration test and reload: {CertificateNames}")]
    public static partial void NginxDeploymentsShared(ILogger logger, int count, IReadOnlyList<string> certificateNames);

    // A passing test still prints nginx's warnings (an ignored directive, a conflicting server name); they matter
    // when a deploy later misbehaves, and the event marks where the test ended and the reload began.
    [LoggerMessage(EventId = EventIds.Deployment + 8, EventName = "NginxConfigurationTested", Level = LogLevel.Debug,
        Message = "{CertificateName}: nginx configuration test passed for serial {Serial}\n{Output}")]
    public static partial void NginxConfigurationTested(ILogger logger, string certificateName, string serial, string output);

    [LoggerMessage(EventId = EventIds.Deployment + 20, EventName = "DeploymentFailed", Level = LogLevel.Error,
        Message = "Deploying {CertificateName} serial {Serial} to {Target} failed: {Error}")]
    public static partial void DeploymentFailed(ILogger logger, string certificateName, string target, string serial, string error);

    [LoggerMessage(EventId = EventIds.Deployment + 10, EventName = "DeployHookSucceeded", Level = LogLevel.Information,
        Message = "{CertificateName}: deploy hook {Command} succeeded in {Duration}")]
    public static partial void DeployHookSucceeded(ILogger logger, string certificateName, string command, TimeSpan duration);

    [LoggerMessage(EventId = EventIds.Deployment + 11, EventName = "DeployHookFailed", Level = LogLevel.Warning,
        Message = "{CertificateName}: deploy hook failed (the deployment stands): {Result}\n{Output}")]
    public static partial void DeployHookFailed(ILogger logger, string certificateName, string result, string output);
}
