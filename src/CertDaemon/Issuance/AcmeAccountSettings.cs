namespace CertDaemon.Issuance;

/// <summary>Who we are at the CA: the <c>Acme</c> configuration section, in the shape the account workflow needs.</summary>
/// <param name="EabHmacKey">base64url HMAC key for External Account Binding. Secret: never logged.</param>
internal sealed record AcmeAccountSettings(
    Uri DirectoryUrl,
    string? Email,
    bool AcceptTermsOfService,
    string? EabKeyId = null,
    string? EabHmacKey = null)
{
    public IReadOnlyList<string> Contact => string.IsNullOrWhiteSpace(Email) ? [] : ["mailto:" + Email.Trim()];

    public override string ToString() => $"AcmeAccountSettings {{ DirectoryUrl = {DirectoryUrl}, Email = {Email}, Eab = {(EabKeyId is null ? "no" : EabKeyId)} }}";
}
