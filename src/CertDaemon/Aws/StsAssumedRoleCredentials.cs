using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.SharedInterfaces;
using Amazon.SecurityToken;

namespace CertDaemon.Aws;

/// <summary>
/// A role's temporary credentials, obtained from STS with the source credentials and refreshed before they expire:
/// what the SDK's <see cref="AssumeRoleAWSCredentials"/> does, with the STS client built here.
/// </summary>
/// <remarks>
/// The SDK's class finds its STS client by loading <c>AWSSDK.SecurityToken</c> through reflection, which a trimmed
/// Native AOT binary cannot do (it throws <c>MissingRuntimeDependencyException</c>); its registry alternative
/// (<c>GlobalRuntimeDependencyRegistry</c>) does not hand the factory the source credentials. Constructing the
/// client here keeps the call, the signing and the credential types the SDK's own. The region is the SDK's fallback
/// region (<c>AWS_REGION</c>, profile, instance metadata), else us-east-1, as the SDK's class chooses;
/// <c>AWS_ENDPOINT_URL_STS</c> applies as to any client.
/// </remarks>
internal sealed class StsAssumedRoleCredentials : RefreshingAWSCredentials
{
    private static readonly RegionEndpoint DefaultRegion = RegionEndpoint.USEast1;

    private readonly AWSCredentials _source;
    private readonly AwsAssumeRoleOptions _role;
    private readonly Lazy<AmazonSecurityTokenServiceClient> _client;

    public StsAssumedRoleCredentials(AWSCredentials source, AwsAssumeRoleOptions role)
    {
        _source = source;
        _role = role;
        _client = new(CreateClient);
        // Same margin as the SDK's class: renew well before a one-hour session runs out.
        PreemptExpiryTime = TimeSpan.FromMinutes(15);
    }

    protected override CredentialsRefreshState GenerateNewCredentials() =>
        ToState(((ICoreAmazonSTS)_client.Value).CredentialsFromAssumeRoleAuthentication(_role.RoleArn, _role.SessionName, Options()));

    protected override async Task<CredentialsRefreshState> GenerateNewCredentialsAsync() =>
        ToState(await ((ICoreAmazonSTS)_client.Value).CredentialsFromAssumeRoleAuthenticationAsync(_role.RoleArn, _role.SessionName, Options()).ConfigureAwait(false));

    protected override void Dispose(bool disposing)
    {
        if (disposing && _client.IsValueCreated)
        {
            _client.Value.Dispose();
        }

        base.Dispose(disposing);
    }

    private AssumeRoleAWSCredentialsOptions Options() => new() { ExternalId = _role.ExternalId };

    private static CredentialsRefreshState ToState(AssumeRoleImmutableCredentials credentials) => new(credentials, credentials.Expiration);

    private AmazonSecurityTokenServiceClient CreateClient() =>
        new(_source, new AmazonSecurityTokenServiceConfig { RegionEndpoint = FallbackRegionFactory.GetRegionEndpoint() ?? DefaultRegion });
}
