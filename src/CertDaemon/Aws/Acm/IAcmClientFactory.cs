namespace CertDaemon.Aws.Acm;

/// <summary>Hands out ACM clients per region.</summary>
/// <remarks>
/// Contract: <see cref="Create"/> does no I/O and never throws for missing credentials (they are resolved on a
/// client's first request, which then fails with <see cref="AwsCredentialsNotFoundException"/>). The same region always
/// gets the same client; each region has its own request budget, because ACM's quotas are per account and region
/// (and differ from Route53's). Clients live as long as the factory.
/// </remarks>
internal interface IAcmClientFactory
{
    /// <summary>The client for <paramref name="region"/>, e.g. <c>us-east-1</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="region"/> is empty.</exception>
    IAcmClient Create(string region);
}
