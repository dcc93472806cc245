using CertDaemon.Kernel;

namespace CertDaemon.Issuance;

/// <summary>
/// A certificate that passed <see cref="IssuedCertificateVerifier"/>: its key is ours, its names are exactly the
/// requested ones, it chains through <see cref="ChainPem"/> and is valid now.
/// </summary>
/// <param name="CertificatePem">The leaf alone.</param>
/// <param name="ChainPem">The intermediates, leaf excluded, in order.</param>
/// <param name="PrivateKeyPem">PKCS#8 PEM. Secret: never log it.</param>
/// <param name="SerialHex">Lowercase hex, no separators (as <c>openssl x509 -serial</c> prints it, lowercased).</param>
/// <param name="AriCertificateId">RFC 9773 CertID, for ARI and the next order's <c>replaces</c>; null when the certificate lacks an AKI.</param>
internal sealed record IssuedCertificate(
    string Name,
    IReadOnlyList<string> Domains,
    KeyType KeyType,
    string CertificatePem,
    string ChainPem,
    string PrivateKeyPem,
    string SerialHex,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string? AriCertificateId,
    Uri? CertificateUrl)
{
    /// <summary>Leaf followed by the chain: what nginx's <c>ssl_certificate</c> wants.</summary>
    public string FullChainPem => CertificatePem + ChainPem;

    /// <summary>The record's text without the key, so a stray log line can never carry it.</summary>
    public override string ToString() => $"IssuedCertificate {{ Name = {Name}, Serial = {SerialHex}, NotAfter = {NotAfter:O} }}";
}
