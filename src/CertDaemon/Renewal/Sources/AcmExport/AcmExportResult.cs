using CertDaemon.Issuance;

namespace CertDaemon.Renewal.Sources.AcmExport;

/// <summary>A verified certificate exported from ACM, with where it lives there.</summary>
/// <param name="Endpoint">The ACM endpoint of <paramref name="Region"/> (recorded as the certificate's origin).</param>
internal sealed record AcmExportResult(IssuedCertificate Certificate, string Arn, string Region, Uri Endpoint);
