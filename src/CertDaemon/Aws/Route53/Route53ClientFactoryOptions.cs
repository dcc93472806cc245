namespace CertDaemon.Aws.Route53;

/// <summary>How <see cref="Route53ClientFactory"/> builds clients.</summary>
internal sealed record Route53ClientFactoryOptions
{
    /// <summary>
    /// Explicit endpoint; wins over <c>AWS_ENDPOINT_URL_ROUTE_53</c> and <c>AWS_ENDPOINT_URL</c> (see
    /// <see cref="AwsEndpointResolver"/>). The default is none (environment, then https://route53.amazonaws.com).
    /// </summary>
    public Uri? Endpoint { get; init; }

    /// <summary>Session name used when assuming a role. The default is <c>certdaemon</c>.</summary>
    public string RoleSessionName { get; init; } = AwsAssumeRoleOptions.DefaultSessionName;

    /// <summary>Retry bounds. The default is <see cref="AwsRetryOptions.Default"/> (6 attempts, 200 ms base, 10 s cap).</summary>
    public AwsRetryOptions Retry { get; init; } = AwsRetryOptions.Default;
}
