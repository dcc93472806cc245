using CertDaemon.Configuration;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Renewal.Sources.AcmExport;

/// <summary>
/// At each check of an <c>acm-export</c> certificate, asks ACM about the certificate the live files came from and turns
/// what it says into the check's decision: export again when ACM renewed it (a new serial), ask ACM to renew when it
/// will not by itself and the operator allowed it, otherwise leave the plan as it is.
/// </summary>
/// <remarks>Never throws for ACM's sake: a failed question is logged and the check goes on with its plan.</remarks>
internal sealed partial class AcmExportWatch(AcmExportIssuer issuer, ILogger<AcmExportWatch> logger)
{
    public async Task<RenewalDecision> ReviewAsync(
        ManagedCertificate certificate, CertificateState? state, RenewalDecision decision, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(decision);
        if (certificate.Issuer != CertificateIssuers.AcmExport || decision.IsDue(now) || state?.Current is not { SourceArn: { } arn } current)
        {
            return decision;
        }

        Aws.Acm.AcmCertificateDetail detail;
        try
        {
            detail = await issuer.DescribeAsync(certificate, arn, cancellationToken);
        }
        catch (Aws.AwsServiceException exception) when (exception.Code == "ResourceNotFoundException")
        {
            // The ACM certificate the live files came from is gone (deleted, or replaced by another ARN): find it again.
            return new RenewalDecision(now, RenewalReason.AcmRenewed, $"ACM no longer has {arn}; exporting the certificate ACM now holds for these names.");
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            CheckFailed(logger, exception, certificate.Name, arn, exception.Message);
            return decision;
        }

        var (action, reason) = AcmExportPlanner.Decide(current, detail, certificate.Acm?.RenewWhenIneligible == true, now);
        switch (action)
        {
            case AcmExportAction.Reexport:
                return new RenewalDecision(now, RenewalReason.AcmRenewed, reason + "; exporting it now.");
            case AcmExportAction.RequestRenewal:
                try
                {
                    await issuer.RequestRenewalAsync(certificate, arn, cancellationToken);
                }
                catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
                {
                    CheckFailed(logger, exception, certificate.Name, arn, exception.Message);
                }

                return decision;
            case AcmExportAction.WarnIneligible:
                AcmExportLog.RenewalIneligible(logger, certificate.Name, arn, detail.NotAfter);
                return decision;
            default:
                return decision;
        }
    }

    [LoggerMessage(EventId = Logging.EventIds.Sources + 56, EventName = "AcmCheckFailed", Level = LogLevel.Warning,
        Message = "Asking ACM about {CertificateName} ({Arn}) failed: {Error}; the plan stands until the next check")]
    private static partial void CheckFailed(ILogger logger, Exception exception, string certificateName, string arn, string error);
}
