using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Aws;

/// <summary>
/// AWS credentials from the SDK's standard chain (environment, web identity, shared profile, container, EC2 instance
/// metadata via IMDSv2), optionally wrapped in an assumed role. Resolution and signing stay in AWSSDK.Core: we only
/// translate "nothing found" into an error that names what was tried.
/// </summary>
internal static class AwsCredentialChain
{
    /// <summary>
    /// Resolves the standard chain now. Throws <see cref="AwsCredentialsNotFoundException"/> when no source has
    /// credentials. The returned object refreshes itself where the source expires (instance profile, web identity).
    /// </summary>
    public static async Task<AWSCredentials> ResolveAsync(CancellationToken cancellationToken)
    {
        // A fresh resolver per call: the SDK's resolver caches what it found, and a cached failure-free answer from
        // an earlier environment would hide a changed one. The returned credentials do their own caching.
        SdkStsBinding.EnsureRegistered();
        using var resolver = new DefaultAWSCredentialsIdentityResolver();
        try
        {
            return SdkStsBinding.MakeTrimSafe(await resolver.ResolveIdentityAsync(clientConfig: null, cancellationToken));
        }
        catch (AmazonClientException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AwsCredentialsNotFoundException(DescribeWhatWasTried(ex.Message), ex);
        }
    }

    /// <summary>
    /// Credentials that resolve the standard chain on first use (first signed request), not at construction, so
    /// building clients never does I/O. A failed resolution is not cached: the next request tries again.
    /// </summary>
    public static AWSCredentials CreateDeferred(ILogger logger) => new DeferredChainCredentials(logger);

    /// <summary>
    /// Wraps <paramref name="source"/> in STS AssumeRole (<see cref="StsAssumedRoleCredentials"/>, which refreshes the
    /// session before it expires); STS is reached through the standard endpoint (or <c>AWS_ENDPOINT_URL_STS</c>).
    /// </summary>
    public static AWSCredentials AssumeRole(AWSCredentials source, AwsAssumeRoleOptions role, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(role);
        ArgumentException.ThrowIfNullOrWhiteSpace(role.RoleArn);
        AwsLog.AssumeRoleConfigured(logger, role.RoleArn, role.SessionName, role.ExternalId is not null);
        return new StsAssumedRoleCredentials(source, role);
    }

    /// <summary>The operator-facing list of sources, in the order the SDK tries them, with this machine's values.</summary>
    internal static string DescribeWhatWasTried(string sdkMessage)
    {
        var profile = DefaultAWSCredentialsIdentityResolver.GetProfileName();
        var imdsDisabled = string.Equals(Environment.GetEnvironmentVariable("AWS_EC2_METADATA_DISABLED"), "true", StringComparison.OrdinalIgnoreCase);
        var containerSet = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_CONTAINER_CREDENTIALS_FULL_URI"));
        var webIdentitySet = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_WEB_IDENTITY_TOKEN_FILE"));
        return "No AWS credentials found. Tried, in order: "
            + "(1) environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN); "
            + $"(2) web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN{(webIdentitySet ? "" : ", not set")}); "
            + $"(3) profile '{profile}' (AWS_PROFILE) in the shared credentials file {SharedCredentialsFile.DefaultFilePath} "
            + $"(AWS_SHARED_CREDENTIALS_FILE) and config file {SharedCredentialsFile.DefaultConfigFilePath} (AWS_CONFIG_FILE); "
            + $"(4) container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/AWS_CONTAINER_CREDENTIALS_FULL_URI{(containerSet ? "" : ", not set")}); "
            + $"(5) EC2 instance metadata (IMDSv2{(imdsDisabled ? ", disabled by AWS_EC2_METADATA_DISABLED=true" : "")}). "
            + "The AWS SDK reported: " + sdkMessage.ReplaceLineEndings(" ").Trim();
    }

    private sealed class DeferredChainCredentials(ILogger logger) : AWSCredentials
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private AWSCredentials? _resolved;

        public override ImmutableCredentials GetCredentials()
        {
            // The SDK's signer calls the async overload; this synchronous one exists for AWSCredentials' contract.
            var resolved = _resolved;
            if (resolved is null)
            {
                SdkStsBinding.EnsureRegistered();
                using var resolver = new DefaultAWSCredentialsIdentityResolver();
                try
                {
                    resolved = SdkStsBinding.MakeTrimSafe(resolver.ResolveIdentity(clientConfig: null));
                }
                catch (AmazonClientException ex)
                {
                    throw new AwsCredentialsNotFoundException(DescribeWhatWasTried(ex.Message), ex);
                }

                _resolved = resolved;
                AwsLog.CredentialsResolved(logger, resolved.GetType().Name);
            }

            return resolved.GetCredentials();
        }

        public override async Task<ImmutableCredentials> GetCredentialsAsync()
        {
            var resolved = _resolved;
            if (resolved is null)
            {
                await _gate.WaitAsync();
                try
                {
                    resolved = _resolved;
                    if (resolved is null)
                    {
                        resolved = await ResolveAsync(CancellationToken.None);
                        _resolved = resolved;
                        AwsLog.CredentialsResolved(logger, resolved.GetType().Name);
                    }
                }
                finally
                {
                    _gate.Release();
                }
            }

            return await resolved.GetCredentialsAsync();
        }
    }
}
