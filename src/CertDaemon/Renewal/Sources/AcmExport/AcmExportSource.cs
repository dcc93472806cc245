using CertDaemon.Configuration;

namespace CertDaemon.Renewal.Sources.AcmExport;

/// <summary>
/// <see cref="ICertificateSource"/> for <c>Issuer: acm-export</c>: the certificate ACM issued and renews, exported
/// (<see cref="AcmExportIssuer"/>). It cannot rehearse: every ACM request and export is charged.
/// </summary>
internal sealed class AcmExportSource(AcmExportIssuer acmExport) : ICertificateSource
{
    public bool AppliesTo(ManagedCertificate certificate) => certificate.Issuer == CertificateIssuers.AcmExport;

    public void EnsureCanRehearse(ManagedCertificate certificate) =>
        throw new InvalidOperationException(
            $"renew --dry-run does not apply to '{certificate.Name}' (Issuer acm-export: ACM charges for every request and export); `certdaemon status` shows what ACM holds");

    public async Task<ObtainedCertificate> ObtainAsync(CertificateSourceRequest request, CancellationToken cancellationToken)
    {
        if (request.RehearsalDirectoryUrl is not null)
        {
            EnsureCanRehearse(request.Certificate);
        }

        var exported = await acmExport.ObtainAsync(request.Certificate, request.Current, cancellationToken);
        return new ObtainedCertificate(exported.Certificate, exported.Endpoint, exported.Arn);
    }
}
