using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertDaemon.Acme;

/// <summary>
/// One certificate chain as the CA serves it (RFC 8555 7.4.2, application/pem-certificate-chain): leaf first, then
/// the intermediates. The CA's default chain comes first in a download, then each Link rel="alternate" chain.
/// Issuer names are read once, so chain selection needs no certificate objects.
/// </summary>
internal sealed record AcmeCertificateChain
{
    public AcmeCertificateChain(Uri url, string pemChain)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(pemChain);
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pemChain);
        }
        catch (CryptographicException ex)
        {
            throw new AcmeProtocolException(url, "the certificate chain is not valid PEM: " + ex.Message, ex);
        }

        try
        {
            if (certificates.Count == 0)
            {
                throw new AcmeProtocolException(url, "the certificate chain contains no PEM certificate");
            }

            Url = url;
            PemChain = pemChain;
            CertificatesDer = [.. certificates.Select(static c => c.RawData)];
            IssuerNames = [.. certificates.Select(static c => c.IssuerName.Name)];
            IssuerCommonNames = [.. certificates.Select(static c => c.GetNameInfo(X509NameType.SimpleName, forIssuer: true))];
        }
        finally
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>The URL the chain was downloaded from (the certificate URL, or an alternate's).</summary>
    public Uri Url { get; }

    /// <summary>The PEM text as served: leaf first.</summary>
    public string PemChain { get; }

    /// <summary>DER of each certificate, leaf first.</summary>
    public IReadOnlyList<byte[]> CertificatesDer { get; }

    /// <summary>Issuer distinguished name of each certificate, leaf first (RFC 2253 form as .NET renders it).</summary>
    public IReadOnlyList<string> IssuerNames { get; }

    /// <summary>Issuer common name (or simple name) of each certificate, leaf first.</summary>
    public IReadOnlyList<string> IssuerCommonNames { get; }

    /// <summary>The issuer of the last certificate: the root the chain leads to (CAs do not send the root itself).</summary>
    public string TopIssuerName => IssuerNames[^1];

    /// <summary>The common name of <see cref="TopIssuerName"/>.</summary>
    public string TopIssuerCommonName => IssuerCommonNames[^1];

    /// <summary>The leaf certificate alone (public part).</summary>
    public X509Certificate2 LoadLeaf() => X509CertificateLoader.LoadCertificate(CertificatesDer[0]);

    /// <summary>The certificates after the leaf, as PEM (what nginx wants after the leaf, or ACM's CertificateChain).</summary>
    public string IntermediatesPem() =>
        string.Concat(CertificatesDer.Skip(1).Select(static der => PemEncoding.WriteString("CERTIFICATE", der) + "\n"));

    /// <summary>True when any certificate of the chain is issued by <paramref name="issuer"/>: its common name or full distinguished name, ignoring case.</summary>
    public bool HasIssuer(string issuer) =>
        IssuerCommonNames.Any(n => string.Equals(n, issuer, StringComparison.OrdinalIgnoreCase))
        || IssuerNames.Any(n => string.Equals(n, issuer, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Preferred-chain selection (as certbot's and lego's "preferred chain"): the first chain with an issuer named
    /// <paramref name="preferredIssuer"/>, otherwise the CA's default (the first). A null or empty preference picks the default.
    /// </summary>
    public static AcmeCertificateChain SelectPreferred(IReadOnlyList<AcmeCertificateChain> chains, string? preferredIssuer)
    {
        ArgumentNullException.ThrowIfNull(chains);
        if (chains.Count == 0)
        {
            throw new ArgumentException("no certificate chains to choose from", nameof(chains));
        }

        if (string.IsNullOrWhiteSpace(preferredIssuer))
        {
            return chains[0];
        }

        return chains.FirstOrDefault(c => c.HasIssuer(preferredIssuer)) ?? chains[0];
    }
}
