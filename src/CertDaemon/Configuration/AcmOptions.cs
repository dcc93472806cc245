namespace CertDaemon.Configuration;

/// <summary>Where a certificate is imported into AWS Certificate Manager (a certificate's <c>Acm</c> section).</summary>
public sealed record AcmOptions
{
    /// <summary>AWS regions to import into (e.g. <c>us-east-1</c>); at least one, no duplicates.</summary>
    public IReadOnlyList<string> Regions { get; init; } = [];

    /// <summary>Tags set on the imported certificate (at most 50; keys 1-128 characters not starting with <c>aws:</c>, values up to 256). The default is none.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The certificate is meant for CloudFront: requires <c>us-east-1</c> among <see cref="Regions"/> and a key type
    /// CloudFront accepts (RSA up to 4096 bits or EC P-256, so not <c>ec384</c>). The default value is <see langword="false"/>.
    /// </summary>
    public bool CloudFront { get; init; }

    /// <summary>
    /// For an <c>acm-export</c> certificate: call ACM's RenewCertificate when ACM reports the certificate ineligible for
    /// managed renewal (each renewal is charged per name). The default value is <see langword="false"/> (report only).
    /// </summary>
    public bool RenewWhenIneligible { get; init; }
}
