using Amazon.Runtime;
using Amazon.RuntimeDependencies;
using Amazon.SecurityToken;

namespace CertDaemon.Aws;

/// <summary>
/// Gives the credential sources the SDK builds from the environment and the shared config file an STS client without
/// the reflection lookup (<c>ServiceClientHelpers</c>) that a trimmed Native AOT binary cannot do: there the SDK
/// throws <c>MissingRuntimeDependencyException</c> at the first signed request. Two sources need STS:
/// <list type="bullet">
/// <item>web identity (<c>AWS_WEB_IDENTITY_TOKEN_FILE</c> + <c>AWS_ROLE_ARN</c>, or a profile's
/// <c>web_identity_token_file</c>): the call is authenticated by the token, so the client the SDK asks the
/// <see cref="GlobalRuntimeDependencyRegistry"/> for is anonymous, as the SDK's own reflection path makes it;</item>
/// <item>a profile's <c>role_arn</c> with <c>source_profile</c> or <c>credential_source</c>: the registry's factory is
/// not told the source credentials (and, in AWSSDK.Core 4.1, is told the same action for both cases), so these are
/// rebound by <see cref="MakeTrimSafe"/> to <see cref="StsAssumedRoleCredentials"/>, which builds its client from
/// them - the SDK's session name, external id and MFA options are kept.</item>
/// </list>
/// Signing, the STS calls, token file reading and refresh stay the SDK's.
/// </summary>
internal static class SdkStsBinding
{
    private static int _registered;

    /// <summary>
    /// Registers the web identity STS client factory with the SDK, once per process. Every
    /// <see cref="AssumeRoleAWSCredentials"/> the chain resolves goes through <see cref="MakeTrimSafe"/> first, so the
    /// anonymous client registered here is never asked to sign an AssumeRole; if a path missed that, AWS refuses the
    /// unsigned call (it never runs with other credentials).
    /// </summary>
    public static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }

        GlobalRuntimeDependencyRegistry.Instance.RegisterSecurityTokenServiceClient(context =>
        {
            var sts = context.SecurityTokenServiceClientContextData;
            var config = new AmazonSecurityTokenServiceConfig { RegionEndpoint = sts.Region };
            if (sts.ProxySettings is not null)
            {
                config.SetWebProxy(sts.ProxySettings);
            }

            return new AmazonSecurityTokenServiceClient(new AnonymousAWSCredentials(), config);
        });
    }

    /// <summary>
    /// <paramref name="credentials"/> with every SDK <see cref="AssumeRoleAWSCredentials"/> in its source chain (role
    /// profiles chained through <c>source_profile</c>) replaced by a <see cref="StsAssumedRoleCredentials"/> of the same
    /// role session; other credentials are returned as they are.
    /// </summary>
    public static AWSCredentials MakeTrimSafe(AWSCredentials credentials) =>
        credentials is AssumeRoleAWSCredentials role
            ? new StsAssumedRoleCredentials(role, MakeTrimSafe(role.SourceCredentials))
            : credentials;
}
