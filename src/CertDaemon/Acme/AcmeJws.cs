using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CertDaemon.Acme;

/// <summary>
/// Builds flattened JWS objects (RFC 7515 7.2.2) as ACME requires them (RFC 8555 6.2): base64url protected header and
/// payload, signature over "protected.payload". An empty payload is the POST-as-GET form (RFC 8555 6.3): payload "".
/// </summary>
internal static class AcmeJws
{
    public static JwsMessage Sign(AccountKey key, JwsProtectedHeader header, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(key);
        var (protectedPart, payloadPart, signingInput) = Prepare(header, payload);
        return new JwsMessage(protectedPart, payloadPart, Base64Url.EncodeToString(key.Sign(signingInput)));
    }

    /// <summary>The HS256 JWS of external account binding (RFC 8555 7.3.4), keyed with the CA-issued MAC key.</summary>
    public static JwsMessage SignHmacSha256(ReadOnlySpan<byte> macKey, JwsProtectedHeader header, ReadOnlySpan<byte> payload)
    {
        var (protectedPart, payloadPart, signingInput) = Prepare(header, payload);
        return new JwsMessage(protectedPart, payloadPart, Base64Url.EncodeToString(HMACSHA256.HashData(macKey, signingInput)));
    }

    private static (string Protected, string Payload, byte[] SigningInput) Prepare(JwsProtectedHeader header, ReadOnlySpan<byte> payload)
    {
        var protectedPart = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(header, AcmeJsonContext.Default.JwsProtectedHeader));
        var payloadPart = payload.IsEmpty ? "" : Base64Url.EncodeToString(payload);
        return (protectedPart, payloadPart, Encoding.ASCII.GetBytes(protectedPart + "." + payloadPart));
    }
}
