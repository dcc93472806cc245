namespace CertDaemon.Acme;

/// <summary>What to send with newAccount (RFC 8555 7.3). Contacts are URIs such as <c>mailto:ops@example.com</c>.</summary>
internal sealed record NewAccountOptions
{
    public IReadOnlyList<string> Contact { get; init; } = [];

    /// <summary>Must be true when the directory has meta.termsOfService (RFC 8555 7.3). The default value is false.</summary>
    public bool TermsOfServiceAgreed { get; init; }

    /// <summary>Required by CAs whose directory says meta.externalAccountRequired. The default value is null.</summary>
    public ExternalAccountBinding? ExternalAccountBinding { get; init; }
}
