using CertDaemon.Aws.Acm;
using CertDaemon.Storage;

namespace CertDaemon.Renewal.Sources.AcmExport;

/// <summary>
/// Decides, from what ACM says about the certificate the live files came from, whether to export again, ask ACM to
/// renew, or do nothing. Pure.
/// </summary>
/// <remarks>
/// ACM starts managed renewal of a public certificate 60 days before it expires; a certificate ACM reports
/// <c>INELIGIBLE</c> (for exportable ones: not exported since the last issuance) will not be renewed by ACM. The
/// <see cref="RenewalWindow"/> below is when that matters: before it, ineligibility is only a fact, not a problem yet.
/// </remarks>
internal static class AcmExportPlanner
{
    /// <summary>ACM's managed renewal window for public certificates.</summary>
    public static readonly TimeSpan RenewalWindow = TimeSpan.FromDays(60);

    public static (AcmExportAction Action, string Reason) Decide(CurrentCertificate current, AcmCertificateDetail acm, bool renewWhenIneligible, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(acm);
        if (acm.Status == "ISSUED" && acm.Serial is { } serial && !AcmSerial.AreEqual(serial, current.Serial))
        {
            return (AcmExportAction.Reexport, $"ACM holds serial {serial}, the live files {current.Serial}: ACM renewed the certificate");
        }

        var notAfter = acm.NotAfter ?? current.NotAfter;
        var renewalUnderWay = acm.RenewalStatus is "PENDING_AUTO_RENEWAL" or "PENDING_VALIDATION";
        if (acm.RenewalEligibility == "INELIGIBLE" && !renewalUnderWay && notAfter - now <= RenewalWindow)
        {
            return renewWhenIneligible
                ? (AcmExportAction.RequestRenewal, "ACM reports it ineligible for managed renewal inside its renewal window; asking ACM to renew it (Acm.RenewWhenIneligible)")
                : (AcmExportAction.WarnIneligible, "ACM reports it ineligible for managed renewal and it expires within 60 days; set Acm.RenewWhenIneligible to have CertDaemon ask ACM to renew it");
        }

        return (AcmExportAction.None, "the live files hold ACM's current certificate");
    }
}
