using Amazon.Runtime;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Aws.Route53;

/// <summary>
/// Builds one <see cref="Route53Client"/> per (role, external id), all over the shared rate limiter; see
/// <see cref="IRoute53ClientFactory"/> for the contract.
/// </summary>
internal sealed class Route53ClientFactory : IRoute53ClientFactory, IDisposable
{
    private readonly Route53ClientFactoryOptions _options;
    private readonly AwsRequestRateLimiter _rateLimiter;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lazy<AWSCredentials> _baseCredentials;
    private readonly AwsEndpoint _endpoint;
    private readonly Func<HttpMessageHandler>? _transport;
    private readonly AwsClientCache<(string? RoleArn, string? ExternalId), Route53Client> _clients;

    /// <param name="options">Endpoint, session name and retry bounds.</param>
    /// <param name="rateLimiter">The account's shared bucket (DI: singleton; otherwise <see cref="AwsRequestRateLimiter.Shared"/>).</param>
    /// <param name="timeProvider">Clock for backoff and rate limiting.</param>
    /// <param name="logger">AWS layer events.</param>
    /// <param name="baseCredentials">
    /// Credentials of the process identity; the default chain (resolved on first use) when null. Tests pass static ones.
    /// </param>
    /// <param name="transport">Makes the innermost handler of each client; SocketsHttpHandler when null.</param>
    public Route53ClientFactory(
        Route53ClientFactoryOptions options,
        AwsRequestRateLimiter rateLimiter,
        TimeProvider timeProvider,
        ILogger<Route53ClientFactory> logger,
        AWSCredentials? baseCredentials = null,
        Func<HttpMessageHandler>? transport = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _rateLimiter = rateLimiter;
        _timeProvider = timeProvider;
        _logger = logger;
        _transport = transport;
        _baseCredentials = new Lazy<AWSCredentials>(() => baseCredentials ?? AwsCredentialChain.CreateDeferred(logger));
        _endpoint = AwsEndpointResolver.ResolveRoute53(options.Endpoint);
        AwsLog.EndpointSelected(logger, Route53Client.ServiceName, _endpoint.Url, _endpoint.Source);
        _clients = new AwsClientCache<(string? RoleArn, string? ExternalId), Route53Client>(key => Build(key.RoleArn, key.ExternalId));
    }

    public IRoute53Client Create(string? roleArn = null, string? externalId = null)
    {
        var key = (string.IsNullOrWhiteSpace(roleArn) ? null : roleArn.Trim(), string.IsNullOrWhiteSpace(externalId) ? null : externalId);
        return _clients.Get(key);
    }

    public void Dispose() => _clients.Dispose();

    private Route53Client Build(string? roleArn, string? externalId)
    {
        var credentials = roleArn is null
            ? _baseCredentials.Value
            : AwsCredentialChain.AssumeRole(_baseCredentials.Value, new AwsAssumeRoleOptions(roleArn, externalId, _options.RoleSessionName), _logger);
        return Route53Client.Create(_endpoint.Url, credentials, _rateLimiter, _options.Retry, _timeProvider, _logger, _transport?.Invoke());
    }
}
