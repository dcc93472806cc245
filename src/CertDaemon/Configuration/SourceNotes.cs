using System.Globalization;

namespace CertDaemon.Configuration;

/// <summary>What <c>config check</c> says about certificate sources that is not a problem but must be known: costs and test-only switches. Pure.</summary>
internal static class SourceNotes
{
    public static IReadOnlyList<string> For(CertDaemonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var notes = new List<string>();
        foreach (var certificate in options.Certificates.Where(c => c.Issuer == CertificateIssuers.AcmExport))
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"{certificate.Name} is an ACM exportable public certificate: AWS charges per name for each issuance and each renewal "
                + $"({certificate.Domains.Count} name{(certificate.Domains.Count == 1 ? "" : "s")}, a wildcard counts as its own name); see AWS Certificate Manager pricing."));
        }

        if (options.Testing.AcmExportSkipChainTrust)
        {
            notes.Add("Testing.AcmExportSkipChainTrust is set: acm-export certificates are NOT checked against the system trust store. For test setups only; never in production.");
        }

        return notes;
    }
}
