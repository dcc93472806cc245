namespace CertDaemon.Configuration;

/// <summary>
/// Rewrites valid options into the form the rest of the daemon compares and sends: each certificate's domains as
/// ACME orders carry them (punycode, lower case, see <see cref="DomainNameNormalizer"/>). Kept apart from
/// <see cref="CertDaemonOptionsValidator"/>, which only reports and quotes the values as the operator wrote them.
/// </summary>
internal static class CertDaemonOptionsNormalizer
{
    /// <summary>The options with normalized domains; a domain that cannot be normalized stays as written (the validator reports it).</summary>
    public static CertDaemonOptions Normalize(CertDaemonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var certificates = new List<CertificateOptions>(options.Certificates.Count);
        foreach (var certificate in options.Certificates)
        {
            var domains = new List<string>(certificate.Domains.Count);
            foreach (var domain in certificate.Domains)
            {
                domains.Add(DomainNameNormalizer.TryNormalize(domain, allowWildcard: true, out var name, out _) ? name : domain);
            }

            certificates.Add(certificate with { Domains = domains });
        }

        return options with { Certificates = certificates };
    }
}
