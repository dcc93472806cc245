namespace CertDaemon.Configuration;

/// <summary>RFC 8555 7.3.4 external account binding: both values come from the CA. Never logged.</summary>
internal sealed record ExternalAccountBindingOptions
{
    /// <summary>The key identifier the CA gave. Required when the section is present.</summary>
    public string KeyId { get; init; } = "";

    /// <summary>The MAC key, base64url (RFC 4648 section 5), padding optional. Required when the section is present.</summary>
    public string HmacKey { get; init; } = "";
}
