using CertDaemon.Kernel;

namespace CertDaemon.Configuration;

/// <summary>
/// Where a certificate comes from: its <c>Issuer</c>, and what an <c>acm-export</c> certificate (one that lives in
/// ACM) requires and forbids.
/// </summary>
internal static class CertificateIssuerRules
{
    /// <summary>The key types ACM issues public certificates with (RequestCertificate <c>KeyAlgorithm</c>).</summary>
    private static readonly IReadOnlyList<KeyType> AcmExportKeyTypes = [KeyType.Ec256, KeyType.Ec384, KeyType.Rsa2048];

    public static void Validate(CertificateOptions certificate, string path, Action<string, string> report)
    {
        if (!CertificateIssuers.All.Contains(certificate.Issuer, StringComparer.Ordinal))
        {
            report(path + ".Issuer", $"\"{certificate.Issuer}\" is not an issuer: use {string.Join(" or ", CertificateIssuers.All.Select(i => "\"" + i + "\""))}");
            return;
        }

        if (certificate.Issuer != CertificateIssuers.AcmExport)
        {
            if (certificate.Acm is { CertificateArn: not null })
            {
                report(path + ".Acm.CertificateArn", "applies only to certificates with \"Issuer\": \"acm-export\" (imported certificates get their ARN from the first import)");
            }

            if (certificate.Acm is { RenewWhenIneligible: true })
            {
                report(path + ".Acm.RenewWhenIneligible", "applies only to certificates with \"Issuer\": \"acm-export\" (ACM renews those; imported ones are renewed by CertDaemon)");
            }

            return;
        }

        // The certificate lives in ACM (its ARN is what the load balancer or CloudFront uses): one region, never a copy.
        if (certificate.Acm is not { } acm || acm.Regions.Count == 0)
        {
            report(path + ".Acm.Regions", "an acm-export certificate is requested in one ACM region: name it (e.g. \"Acm\": {\"Regions\": [\"us-east-1\"]})");
        }
        else if (acm.Regions.Count > 1)
        {
            report(path + ".Acm.Regions", $"an acm-export certificate lives in exactly one ACM region (its ARN is the one your load balancer uses), got {acm.Regions.Count}; "
                + "add one certificate per region instead, each is charged per name");
        }

        if (!AcmExportKeyTypes.Contains(certificate.KeyType))
        {
            report(path + ".KeyType", $"ACM issues public certificates with ec256, ec384 or rsa2048 keys only, not {KeyTypeNames.ToName(certificate.KeyType)}");
        }

        if (certificate.Profile is not null)
        {
            report(path + ".Profile", "profiles are an ACME feature; an acm-export certificate has ACM's fixed profile: remove it");
        }

        if (certificate.Acm?.CertificateArn is { } arn && !arn.StartsWith("arn:", StringComparison.Ordinal))
        {
            report(path + ".Acm.CertificateArn", $"\"{arn}\" is not an ACM certificate ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID)");
        }

        if (certificate.Acm is { } timeouts && (timeouts.ValidationTimeout <= TimeSpan.Zero || timeouts.ValidationTimeout > TimeSpan.FromHours(2)))
        {
            report(path + ".Acm.ValidationTimeout", $"must be positive and at most 02:00:00 (a run holds the certificate's lock while it waits), got {timeouts.ValidationTimeout}");
        }
    }
}
