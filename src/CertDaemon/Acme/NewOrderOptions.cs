namespace CertDaemon.Acme;

/// <summary>What to ask for in newOrder (RFC 8555 7.4).</summary>
internal sealed record NewOrderOptions
{
    /// <summary>DNS names, wildcards as <c>*.example.com</c>; at least one.</summary>
    public required IReadOnlyList<string> DnsNames { get; init; }

    /// <summary>A profile from the directory's meta.profiles; refused before sending if the CA does not offer it. The default value is null (CA default).</summary>
    public string? Profile { get; init; }

    /// <summary>The ARI CertID of the certificate this order replaces (RFC 9773 5); <see cref="AriCertificateId"/> converts implicitly. The default value is null.</summary>
    public string? Replaces { get; init; }

    public DateTimeOffset? NotBefore { get; init; }

    public DateTimeOffset? NotAfter { get; init; }
}
