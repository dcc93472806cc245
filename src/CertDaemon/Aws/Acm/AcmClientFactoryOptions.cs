namespace CertDaemon.Aws.Acm;

/// <summary>How <see cref="AcmClientFactory"/> builds clients.</summary>
internal sealed record AcmClientFactoryOptions
{
    /// <summary>
    /// Explicit endpoint for every region; wins over <c>AWS_ENDPOINT_URL_ACM</c> and <c>AWS_ENDPOINT_URL</c> (see
    /// <see cref="AwsEndpointResolver"/>). The default is none (environment, then <c>https://acm.REGION.amazonaws.com</c>).
    /// </summary>
    public Uri? Endpoint { get; init; }

    /// <summary>
    /// Sustained requests per second per region. ACM's quotas are per account and region and per operation
    /// (ImportCertificate is the lowest, about 1/s; AddTagsToCertificate 5/s; Describe/List 10/s or more); a
    /// throttled import is retried by the AWS layer, so this only keeps the steady state polite. The default is 5.
    /// </summary>
    public double RequestsPerSecond { get; init; } = 5;

    /// <summary>Requests available at once per region after an idle period. The default is 5.</summary>
    public int Burst { get; init; } = 5;

    /// <summary>Retry bounds. The default is <see cref="AwsRetryOptions.Default"/> (6 attempts, 200 ms base, 10 s cap).</summary>
    public AwsRetryOptions Retry { get; init; } = AwsRetryOptions.Default;
}
