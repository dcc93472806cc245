namespace CertDaemon.Aws.Route53;

/// <summary>Hands out Route53 clients per IAM role.</summary>
/// <remarks>
/// Contract: <see cref="Create"/> does no I/O and never throws for missing credentials; credentials are resolved
/// (and the role assumed) on the client's first request, which then fails with
/// <see cref="AwsCredentialsNotFoundException"/> if the standard chain is empty. The same role (and external id)
/// always gets the same client instance; every client shares one rate limiter, so all of them together stay
/// within the account's Route53 request budget. Clients live as long as the factory.
/// </remarks>
internal interface IRoute53ClientFactory
{
    /// <summary>A client signing with the standard chain, or with <paramref name="roleArn"/> assumed on top of it.</summary>
    /// <param name="roleArn">Role to assume (per-certificate <c>Route53.RoleArn</c>); null for the chain's own identity.</param>
    /// <param name="externalId">External id the role's trust policy requires; null for none.</param>
    IRoute53Client Create(string? roleArn = null, string? externalId = null);
}
