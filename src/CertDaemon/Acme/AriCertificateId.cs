using System.Buffers.Text;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertDaemon.Acme;

/// <summary>
/// The ARI certificate identifier (RFC 9773 4.1): base64url(AKI keyIdentifier) "." base64url(serial number DER
/// content octets, keeping a leading 0x00). Used in the renewalInfo path and as newOrder "replaces" (RFC 9773 5).
/// Read from the DER with an ASN.1 reader, so certificates the platform parser dislikes still work.
/// </summary>
internal readonly record struct AriCertificateId(string Value)
{
    private const string AuthorityKeyIdentifierOid = "2.5.29.35";

    public static AriCertificateId FromCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return FromDer(certificate.RawData);
    }

    /// <exception cref="ArgumentException">Not a certificate, or it has no Authority Key Identifier keyIdentifier.</exception>
    public static AriCertificateId FromDer(ReadOnlyMemory<byte> certificateDer)
    {
        try
        {
            var certificate = new AsnReader(certificateDer, AsnEncodingRules.DER).ReadSequence();
            var tbs = certificate.ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                tbs.ReadEncodedValue(); // [0] EXPLICIT version
            }

            var serial = tbs.ReadIntegerBytes(); // content octets, leading 0x00 kept (RFC 9773 4.1)
            tbs.ReadEncodedValue(); // signature AlgorithmIdentifier
            tbs.ReadEncodedValue(); // issuer
            tbs.ReadEncodedValue(); // validity
            tbs.ReadEncodedValue(); // subject
            tbs.ReadEncodedValue(); // subjectPublicKeyInfo
            var keyIdentifier = ReadAuthorityKeyIdentifier(tbs)
                ?? throw new ArgumentException("the certificate has no Authority Key Identifier keyIdentifier, so it has no ARI CertID (RFC 9773 4.1)", nameof(certificateDer));
            return new AriCertificateId($"{Base64Url.EncodeToString(keyIdentifier)}.{Base64Url.EncodeToString(serial.Span)}");
        }
        catch (AsnContentException ex)
        {
            throw new ArgumentException("not a DER X.509 certificate: " + ex.Message, nameof(certificateDer), ex);
        }
        catch (CryptographicException ex)
        {
            throw new ArgumentException("not a DER X.509 certificate: " + ex.Message, nameof(certificateDer), ex);
        }
    }

    public static implicit operator string(AriCertificateId id) => id.Value;

    public override string ToString() => Value;

    private static byte[]? ReadAuthorityKeyIdentifier(AsnReader tbs)
    {
        var extensionsTag = new Asn1Tag(TagClass.ContextSpecific, 3);
        while (tbs.HasData)
        {
            var tag = tbs.PeekTag();
            if (!tag.HasSameClassAndValue(extensionsTag))
            {
                tbs.ReadEncodedValue(); // [1]/[2] unique identifiers
                continue;
            }

            var explicitExtensions = tbs.ReadSequence(extensionsTag);
            var extensions = explicitExtensions.ReadSequence();
            while (extensions.HasData)
            {
                var extension = extensions.ReadSequence();
                var oid = extension.ReadObjectIdentifier();
                if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
                {
                    extension.ReadBoolean(); // critical
                }

                var value = extension.ReadOctetString();
                if (oid != AuthorityKeyIdentifierOid)
                {
                    continue;
                }

                // RFC 5280 4.2.1.1: AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, ... }
                var aki = new AsnReader(value, AsnEncodingRules.DER).ReadSequence();
                var keyIdentifierTag = new Asn1Tag(TagClass.ContextSpecific, 0);
                return aki.HasData && aki.PeekTag().HasSameClassAndValue(keyIdentifierTag) ? aki.ReadOctetString(keyIdentifierTag) : null;
            }
        }

        return null;
    }
}
