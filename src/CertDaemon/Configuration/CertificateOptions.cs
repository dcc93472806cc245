using CertDaemon.Kernel;

namespace CertDaemon.Configuration;

/// <summary>One configured certificate (an element of <c>Certificates</c>).</summary>
internal sealed record CertificateOptions
{
    /// <summary>
    /// The certificate's name: the directory under <c>live/</c> and <c>archive/</c>. Required; 1 to 64 characters of
    /// <c>[A-Za-z0-9._-]</c>, starting with a letter or digit, unique (ignoring case) within the file.
    /// </summary>
    public string Name { get; init; } = "";

    /// <summary>
    /// The DNS names (1 to 100). After validation: IDNs converted to punycode, lower case, in the order given.
    /// The first name is the one shown in listings.
    /// </summary>
    public IReadOnlyList<string> Domains { get; init; } = [];

    /// <summary>The key type. The default value is <see cref="KeyType.Ec256"/> (<c>ec256</c>).</summary>
    public KeyType KeyType { get; init; } = KeyType.Ec256;

    /// <summary>Whether nginx is reloaded for this certificate (when <see cref="NginxOptions.Enabled"/>). The default value is <see langword="true"/>.</summary>
    public bool Nginx { get; init; } = true;

    /// <summary>ACM imports for this certificate. The default is none.</summary>
    public AcmOptions? Acm { get; init; }

    /// <summary>Route53 overrides for this certificate. The default is none (use the top-level <c>Route53</c> section).</summary>
    public CertificateRoute53Options? Route53 { get; init; }

    /// <summary>ACME profile override for this certificate. The default is none (use <see cref="AcmeOptions.Profile"/>).</summary>
    public string? Profile { get; init; }

    /// <summary>
    /// Where the certificate comes from: <c>acme</c> (the configured CA, then each <c>Acme.Fallback</c> CA) or
    /// <c>acm-export</c> (an exportable public certificate requested in ACM, validated through Route53 and exported to
    /// the local files; AWS charges per name for each issuance and renewal). The default value is <c>acme</c>.
    /// </summary>
    public string Issuer { get; init; } = CertificateIssuers.Acme;

    /// <summary>Commands (argv lists) run after this certificate is deployed, after the global hooks. The default is none.</summary>
    public IReadOnlyList<IReadOnlyList<string>> DeployHooks { get; init; } = [];
}
