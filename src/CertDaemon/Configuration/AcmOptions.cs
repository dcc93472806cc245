namespace CertDaemon.Configuration;

/// <summary>Where a certificate is imported into AWS Certificate Manager (a certificate's <c>Acm</c> section).</summary>
internal sealed record AcmOptions
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

    /// <summary>
    /// For an <c>acm-export</c> certificate: the ARN of an existing exportable ACM certificate to export from (e.g. the one
    /// a load balancer already uses) instead of requesting one. The default is none: CertDaemon requests the certificate
    /// (tagged <c>certdaemon:name</c>) and finds it again by that tag.
    /// </summary>
    public string? CertificateArn { get; init; }

    /// <summary>
    /// For an <c>acm-export</c> certificate: how long one run waits for ACM to validate a new certificate. A run that
    /// gives up leaves the request and its validation records in place and waits on the same certificate at the next
    /// check (nothing is requested twice). The default value is 15 minutes.
    /// </summary>
    public TimeSpan ValidationTimeout { get; init; } = TimeSpan.FromMinutes(15);
}
