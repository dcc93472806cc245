using CertDaemon.Configuration;
using CertDaemon.Storage;

namespace CertDaemon.Renewal;

/// <summary>How <c>status</c> names the source of the live certificate. Pure.</summary>
internal static class IssuerDescription
{
    /// <summary>
    /// <c>https://ca/dir (primary)</c>, <c>https://ca2/dir (fallback 1)</c>, <c>... (no longer configured)</c>, or the ACM
    /// certificate's ARN for <c>acm-export</c>.
    /// </summary>
    public static string Describe(CurrentCertificate current, AcmeOptions acme)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(acme);
        if (current.Issuer == CertificateIssuers.AcmExport)
        {
            return current.SourceArn ?? current.DirectoryUrl.ToString();
        }

        var fallback = acme.Fallback.Select((f, i) => (f.DirectoryUrl, Index: i + 1)).FirstOrDefault(f => f.DirectoryUrl == current.DirectoryUrl);
        var role = current.DirectoryUrl == acme.DirectoryUrl ? "primary"
            : fallback.DirectoryUrl is not null ? $"fallback {fallback.Index}"
            : "no longer configured";
        return $"{current.DirectoryUrl} ({role})";
    }
}
