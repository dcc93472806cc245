using CertDaemon.Logging;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Deployment.Acm;

/// <summary>
/// ACM deployment events (ids 6100-6199, see <see cref="DeploymentLog"/>). <c>AcmImported</c> is part of the operator
/// contract. Never key material.
/// </summary>
internal static partial class AcmLog
{
    [LoggerMessage(EventId = EventIds.Deployment + 101, EventName = "AcmImported", Level = LogLevel.Information,
        Message = "{CertificateName} imported into ACM {Region} as {Arn}: serial {Serial}")]
    public static partial void Imported(ILogger logger, string certificateName, string region, string arn, string serial);

    [LoggerMessage(EventId = EventIds.Deployment + 102, EventName = "AcmImportSkipped", Level = LogLevel.Debug,
        Message = "{CertificateName}: ACM {Region} already holds serial {Serial} as {Arn}; not imported again")]
    public static partial void ImportSkipped(ILogger logger, string certificateName, string region, string arn, string serial);

    [LoggerMessage(EventId = EventIds.Deployment + 103, EventName = "AcmCertificateFoundByTag", Level = LogLevel.Information,
        Message = "{CertificateName}: found ACM {Region} certificate {Arn} by its tag {TagKey} (the state directory did not know it)")]
    public static partial void FoundByTag(ILogger logger, string certificateName, string region, string arn, string tagKey);

    [LoggerMessage(EventId = EventIds.Deployment + 104, EventName = "AcmTagsUpdated", Level = LogLevel.Information,
        Message = "{CertificateName}: set tags {TagKeys} on ACM {Region} certificate {Arn}")]
    public static partial void TagsUpdated(ILogger logger, string certificateName, string region, string arn, string tagKeys);

    [LoggerMessage(EventId = EventIds.Deployment + 105, EventName = "AcmDeploymentFailed", Level = LogLevel.Error,
        Message = "{CertificateName}: ACM {Region} did not take serial {Serial}: {Error}")]
    public static partial void DeploymentFailed(ILogger logger, string certificateName, string region, string serial, string error);

    [LoggerMessage(EventId = EventIds.Deployment + 106, EventName = "AcmRememberedArnMissing", Level = LogLevel.Warning,
        Message = "{CertificateName}: the remembered ACM {Region} certificate {Arn} no longer exists; looking for it by tag")]
    public static partial void RememberedArnMissing(ILogger logger, string certificateName, string region, string arn);

    [LoggerMessage(EventId = EventIds.Deployment + 107, EventName = "AcmDuplicateCertificates", Level = LogLevel.Warning,
        Message = "{CertificateName}: ACM {Region} holds several certificates tagged with this name ({Arns}); using {Arn}, the others are left alone")]
    public static partial void DuplicateCertificates(ILogger logger, string certificateName, string region, string arns, string arn);

    [LoggerMessage(EventId = EventIds.Deployment + 108, EventName = "AcmImportUncertain", Level = LogLevel.Warning,
        Message = "{CertificateName}: the ACM {Region} import of a new certificate may or may not have happened ({Error}); looking for it by tag before trying again")]
    public static partial void ImportUncertain(ILogger logger, string certificateName, string region, string error);
}
