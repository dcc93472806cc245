namespace CertDaemon.Aws;

/// <summary>Optional role to assume on top of the standard credential chain (cross-account zones).</summary>
/// <param name="RoleArn">The role, e.g. <c>arn:aws:iam::123456789012:role/certdaemon-dns</c>.</param>
/// <param name="ExternalId">The external id the role's trust policy demands, if any. The default is none.</param>
/// <param name="SessionName">Shown in CloudTrail as the session; the default is <c>certdaemon</c>.</param>
internal sealed record AwsAssumeRoleOptions(string RoleArn, string? ExternalId = null, string SessionName = AwsAssumeRoleOptions.DefaultSessionName)
{
    public const string DefaultSessionName = "certdaemon";
}
