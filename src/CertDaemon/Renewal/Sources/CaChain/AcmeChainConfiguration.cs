using CertDaemon.Configuration;
using CertDaemon.Issuance;

namespace CertDaemon.Renewal.Sources.CaChain;

/// <summary>Builds the CA chain from the <c>Acme</c> section: <c>DirectoryUrl</c> first, then each <c>Fallback</c> entry.</summary>
internal static class AcmeChainConfiguration
{
    public static AcmeCertificateAuthorities FromOptions(AcmeOptions acme)
    {
        ArgumentNullException.ThrowIfNull(acme);
        var chain = new List<AcmeCertificateAuthority>
        {
            new(0, new AcmeAccountSettings(acme.DirectoryUrl, acme.Email, acme.AcceptTermsOfService,
                acme.ExternalAccountBinding?.KeyId, acme.ExternalAccountBinding?.HmacKey), acme.Profile),
        };
        foreach (var fallback in acme.Fallback)
        {
            // Validation guarantees a URL; the contact and the terms answer are the Acme section's.
            chain.Add(new(chain.Count, new AcmeAccountSettings(fallback.DirectoryUrl!, acme.Email, acme.AcceptTermsOfService,
                fallback.ExternalAccountBinding?.KeyId, fallback.ExternalAccountBinding?.HmacKey), fallback.Profile));
        }

        return new AcmeCertificateAuthorities(chain);
    }
}
