namespace CertDaemon.Acme;

/// <summary>
/// External account binding credentials (RFC 8555 7.3.4) from the CA: a key identifier and an HMAC key, base64url.
/// The HMAC key is a secret: <see cref="ToString"/> never prints it.
/// </summary>
internal sealed record ExternalAccountBinding(string KeyId, string HmacKeyBase64Url)
{
    public override string ToString() => $"ExternalAccountBinding {{ KeyId = {KeyId}, HmacKeyBase64Url = *** }}";
}
