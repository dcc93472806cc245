namespace CertDaemon.Configuration;

/// <summary>The ACME server and the account CertDaemon registers there (section <c>Acme</c>).</summary>
internal sealed record AcmeOptions
{
    /// <summary>Let's Encrypt's production directory.</summary>
    public static readonly Uri LetsEncryptProduction = new("https://acme-v02.api.letsencrypt.org/directory");

    /// <summary>Let's Encrypt's staging directory (untrusted certificates, generous rate limits): where <c>renew --dry-run</c> goes for production.</summary>
    public static readonly Uri LetsEncryptStaging = new("https://acme-staging-v02.api.letsencrypt.org/directory");

    /// <summary>
    /// The ACME directory URL: absolute https, or http only to a loopback host (a local test CA).
    /// The default value is Let's Encrypt production, <c>https://acme-v02.api.letsencrypt.org/directory</c>.
    /// </summary>
    public Uri DirectoryUrl { get; init; } = LetsEncryptProduction;

    /// <summary>
    /// The directory <c>certdaemon renew --dry-run</c> issues against (same rules as <see cref="DirectoryUrl"/>). The
    /// default is none: Let's Encrypt staging when <see cref="DirectoryUrl"/> is Let's Encrypt production, otherwise
    /// <see cref="DirectoryUrl"/> itself (a test CA, or a CA without a staging service).
    /// </summary>
    public Uri? DryRunDirectoryUrl { get; init; }

    /// <summary>Where a dry run issues: <see cref="DryRunDirectoryUrl"/>, else Let's Encrypt staging for Let's Encrypt production, else <see cref="DirectoryUrl"/>.</summary>
    public Uri ResolveDryRunDirectoryUrl() =>
        DryRunDirectoryUrl ?? (IsLetsEncryptProduction(DirectoryUrl) ? LetsEncryptStaging : DirectoryUrl);

    /// <summary>Let's Encrypt's production directory however it is spelled (host case, a trailing slash, the default port).</summary>
    private static bool IsLetsEncryptProduction(Uri url) =>
        url.Scheme == Uri.UriSchemeHttps && url.IsDefaultPort
        && string.Equals(url.Host, LetsEncryptProduction.Host, StringComparison.OrdinalIgnoreCase)
        && string.Equals(url.AbsolutePath.TrimEnd('/'), LetsEncryptProduction.AbsolutePath, StringComparison.Ordinal);

    /// <summary>Account contact address (sent as <c>mailto:</c>). Optional; the default is none.</summary>
    public string? Email { get; init; }

    /// <summary>The operator agrees to the CA's terms of service. Must be <see langword="true"/>; the default value is <see langword="false"/>.</summary>
    public bool AcceptTermsOfService { get; init; }

    /// <summary>The certificate profile asked for in new orders (e.g. <c>classic</c>, <c>tlsserver</c>, <c>shortlived</c>). The default is none (the CA's default profile).</summary>
    public string? Profile { get; init; }

    /// <summary>External account binding (RFC 8555 7.3.4), for CAs that require it. The default is none.</summary>
    public ExternalAccountBindingOptions? ExternalAccountBinding { get; init; }

    /// <summary>Absolute path of a PEM file of extra roots trusted for the ACME server's TLS only (test CAs). The default is none.</summary>
    public string? TrustedCaFile { get; init; }

    /// <summary>
    /// CAs tried, in order, when <see cref="DirectoryUrl"/> fails a renewal for a reason that is the CA's; every run
    /// starts with <see cref="DirectoryUrl"/> again. The default is none (a single CA).
    /// </summary>
    public IReadOnlyList<AcmeFallbackOptions> Fallback { get; init; } = [];
}
