using System.Formats.Asn1;
using System.Security.Cryptography;

namespace CertDaemon.Storage;

/// <summary>
/// The two facts the store keeps comparing a certificate file by: its serial number and when it expires, read from the
/// DER with <see cref="AsnReader"/> (RFC 5280 section 4.1) instead of a full <c>X509Certificate2</c>. Reading a lineage
/// (<c>status</c>, the daemon's check) needs them for every certificate; through <c>X509Certificate2</c> that meant
/// loading and initialising OpenSSL in every <c>status</c> (about 60 of its 90 ms with 100 certificates).
/// </summary>
/// <remarks>
/// Contract: the serial is the hex of the DER INTEGER's content octets, lower case, leading zero octet included,
/// exactly what <c>X509Certificate2.SerialNumber.ToLowerInvariant()</c> gives; <see cref="NotAfter"/> is the validity's
/// end as UTC. Nothing is verified (no signature, no chain): callers that need a consistent set use
/// <see cref="CertificateMaterialVerifier"/>. Input that is not a DER certificate throws <see cref="CryptographicException"/>,
/// as the OpenSSL path did; what that path
/// accepted (BER lengths, bytes after the certificate) is accepted.
/// </remarks>
internal readonly record struct CertificateIdentity(string Serial, DateTimeOffset NotAfter)
{
    /// <summary>Reads the first certificate of a DER encoding.</summary>
    /// <exception cref="CryptographicException">Not a DER X.509 certificate.</exception>
    public static CertificateIdentity FromDer(ReadOnlyMemory<byte> der)
    {
        try
        {
            // BER, and bytes after the certificate ignored: what X509CertificateLoader (OpenSSL's d2i_X509) accepted.
            // Inside the certificate the whole structure is walked (every TLV of the certificate and its tbsCertificate,
            // nothing left over), so a truncated or damaged file is refused as before; extension contents are not judged.
            var certificate = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
            var tbs = certificate.ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            {
                tbs.ReadEncodedValue(); // [0] EXPLICIT version
            }

            var serial = Convert.ToHexStringLower(tbs.ReadIntegerBytes().Span);
            tbs.ReadSequence(); // signature AlgorithmIdentifier
            tbs.ReadSequence(); // issuer Name
            var validity = tbs.ReadSequence();
            ReadTime(validity); // notBefore
            var notAfter = ReadTime(validity);
            validity.ThrowIfNotEmpty();
            tbs.ReadSequence(); // subject Name
            tbs.ReadSequence(); // subjectPublicKeyInfo
            while (tbs.HasData)
            {
                tbs.ReadEncodedValue(); // [1] issuerUniqueID, [2] subjectUniqueID, [3] extensions
            }

            certificate.ReadSequence(); // signatureAlgorithm
            certificate.ReadBitString(out _); // signatureValue
            certificate.ThrowIfNotEmpty();
            return new CertificateIdentity(serial, notAfter.ToUniversalTime());
        }
        catch (AsnContentException e)
        {
            throw new CryptographicException($"not a DER X.509 certificate: {e.Message}", e);
        }
    }

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}
