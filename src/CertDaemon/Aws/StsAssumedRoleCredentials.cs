using System.Runtime.ExceptionServices;
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
    private readonly string _roleArn;
    private readonly string _sessionName;
    private readonly AssumeRoleAWSCredentialsOptions _options;
    private readonly Lazy<AmazonSecurityTokenServiceClient> _client;

    public StsAssumedRoleCredentials(AWSCredentials source, AwsAssumeRoleOptions role)
        : this(source, role.RoleArn, role.SessionName, new AssumeRoleAWSCredentialsOptions { ExternalId = role.ExternalId })
    {
    }

    /// <summary>
    /// The same role session the SDK's <paramref name="sdkCredentials"/> describes (a profile's <c>role_arn</c> with
    /// its <c>source_profile</c> or <c>credential_source</c>, session name, external id, MFA serial) over
    /// <paramref name="source"/>, which replaces the SDK object's own source (itself made trim-safe by the caller).
    /// </summary>
    public StsAssumedRoleCredentials(AssumeRoleAWSCredentials sdkCredentials, AWSCredentials source)
        : this(source, sdkCredentials.RoleArn, sdkCredentials.RoleSessionName, sdkCredentials.Options)
    {
    }

    private StsAssumedRoleCredentials(AWSCredentials source, string roleArn, string sessionName, AssumeRoleAWSCredentialsOptions options)
    {
        _source = source;
        _roleArn = roleArn;
        _sessionName = sessionName;
        _options = options;
        _client = new(CreateClient);
        // Same margin as the SDK's class: renew well before a one-hour session runs out.
        PreemptExpiryTime = TimeSpan.FromMinutes(15);
    }

    /// <summary>The credentials that sign the AssumeRole call.</summary>
    public AWSCredentials Source => _source;

    /// <summary>The role this session is of.</summary>
    public string RoleArn => _roleArn;

    protected override CredentialsRefreshState GenerateNewCredentials()
    {
        try
        {
            return ToState(((ICoreAmazonSTS)_client.Value).CredentialsFromAssumeRoleAuthentication(_roleArn, _sessionName, _options));
        }
        catch (AmazonClientException e) when (TooLarge(e) is { } tooLarge)
        {
            throw Unwrapped(tooLarge);
        }
    }

    protected override async Task<CredentialsRefreshState> GenerateNewCredentialsAsync()
    {
        try
        {
            return ToState(await ((ICoreAmazonSTS)_client.Value).CredentialsFromAssumeRoleAuthenticationAsync(_roleArn, _sessionName, _options).ConfigureAwait(false));
        }
        catch (AmazonClientException e) when (TooLarge(e) is { } tooLarge)
        {
            throw Unwrapped(tooLarge);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _client.IsValueCreated)
        {
            _client.Value.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// The SDK wraps any failure of the call as "Error calling AssumeRole for role ..."; an oversized answer is
    /// surfaced as itself, whose message names STS, the endpoint and the bound, the things an operator must check.
    /// </summary>
    private static AwsResponseTooLargeException? TooLarge(Exception e)
    {
        // The SDK's synchronous refresh (GenerateNewCredentials, which the base class requires) nests an AggregateException between the two.
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is AwsResponseTooLargeException tooLarge)
            {
                return tooLarge;
            }
        }

        return null;
    }

    private static AwsResponseTooLargeException Unwrapped(AwsResponseTooLargeException tooLarge)
    {
        ExceptionDispatchInfo.Capture(tooLarge).Throw();
        return tooLarge;
    }

    private static CredentialsRefreshState ToState(AssumeRoleImmutableCredentials credentials) => new(credentials, credentials.Expiration);

    private AmazonSecurityTokenServiceClient CreateClient()
    {
        var config = new AmazonSecurityTokenServiceConfig
        {
            RegionEndpoint = FallbackRegionFactory.GetRegionEndpoint() ?? DefaultRegion,
            HttpClientFactory = new AwsSdkHttpClientFactory("sts"),
        };
        if (_options.ProxySettings is not null)
        {
            config.SetWebProxy(_options.ProxySettings);
        }

        return new(_source, config);
    }
}
