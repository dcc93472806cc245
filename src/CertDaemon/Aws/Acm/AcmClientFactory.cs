using Amazon.Runtime;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Aws.Acm;

/// <summary>
/// Builds one <see cref="AcmClient"/> per region, each with its own <see cref="AwsRequestRateLimiter"/> (ACM's quotas
/// are per region, and separate from Route53's shared 5/s bucket); see <see cref="IAcmClientFactory"/> for the contract.
/// <c>AWS_ENDPOINT_URL_ACM</c> (then <c>AWS_ENDPOINT_URL</c>) replaces the endpoint of every region, as in the AWS SDKs.
/// </summary>
internal sealed class AcmClientFactory : IAcmClientFactory, IDisposable
{
    private const string EndpointVariable = "AWS_ENDPOINT_URL_ACM";

    private readonly AcmClientFactoryOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lazy<AWSCredentials> _credentials;
    private readonly Func<HttpMessageHandler>? _transport;
    private readonly Func<string, string?> _environment;
    private readonly AwsClientCache<string, AcmClient> _clients;

    /// <param name="options">Endpoint, request budget and retry bounds.</param>
    /// <param name="timeProvider">Clock for backoff and rate limiting.</param>
    /// <param name="logger">AWS layer events.</param>
    /// <param name="credentials">Credentials of the process identity; the default chain (resolved on first use) when null.</param>
    /// <param name="transport">Makes the innermost handler of each client; SocketsHttpHandler when null.</param>
    /// <param name="environment">Reads environment variables (tests); <see cref="Environment.GetEnvironmentVariable(string)"/> when null.</param>
    public AcmClientFactory(
        AcmClientFactoryOptions options,
        TimeProvider timeProvider,
        ILogger<AcmClientFactory> logger,
        AWSCredentials? credentials = null,
        Func<HttpMessageHandler>? transport = null,
        Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _transport = transport;
        _environment = environment ?? Environment.GetEnvironmentVariable;
        _credentials = new Lazy<AWSCredentials>(() => credentials ?? AwsCredentialChain.CreateDeferred(logger));
        _clients = new AwsClientCache<string, AcmClient>(Build);
    }

    public IAcmClient Create(string region)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        return _clients.Get(region.Trim());
    }

    public void Dispose() => _clients.Dispose();

    private AcmClient Build(string region)
    {
        var endpoint = AwsEndpointResolver.Resolve(_options.Endpoint, EndpointVariable, AcmClient.DefaultEndpoint(region), _environment);
        AwsLog.EndpointSelected(_logger, $"{AcmClient.ServiceName} {region}", endpoint.Url, endpoint.Source);
        var limiter = new AwsRequestRateLimiter(_options.RequestsPerSecond, _options.Burst, _timeProvider);
        return AcmClient.Create(region, endpoint.Url, _credentials.Value, limiter, _options.Retry, _timeProvider, _logger, _transport?.Invoke());
    }
}
