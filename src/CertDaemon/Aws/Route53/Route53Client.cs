using System.Globalization;
using System.Net;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Amazon;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Aws.Route53;

/// <summary>
/// <see cref="IRoute53Client"/> over REST-XML (API 2013-04-01). Signing, rate limiting and retries live in the
/// handler chain from <see cref="AwsHttpPipeline"/>; this class only builds requests and reads answers.
/// </summary>
internal sealed class Route53Client : IRoute53Client, IDisposable
{
    public const string ServiceName = "route53";
    private const string ApiPrefix = "2013-04-01/";

    private readonly HttpClient _http;

    // Only Create builds one: its HttpClient signs, limits, retries and has the endpoint as BaseAddress.
    private Route53Client(HttpClient http) => _http = http;

    /// <summary>The endpoint requests go to.</summary>
    public Uri Endpoint => _http.BaseAddress!;

    /// <summary>
    /// The usual way to build a client: signs with <paramref name="credentials"/> for us-east-1/route53, draws from
    /// <paramref name="rateLimiter"/> (default <see cref="AwsRequestRateLimiter.Shared"/>), retries per
    /// <paramref name="retry"/> (default <see cref="AwsRetryOptions.Default"/>).
    /// </summary>
    /// <param name="endpoint">From <see cref="AwsEndpointResolver.ResolveRoute53"/>, or e.g. a moto URL in tests.</param>
    /// <param name="credentials">From <see cref="AwsCredentialChain"/> (or static credentials in tests).</param>
    /// <param name="rateLimiter">The account's shared bucket.</param>
    /// <param name="retry">Retry bounds.</param>
    /// <param name="timeProvider">Clock for backoff and rate limiting; the default is the system clock.</param>
    /// <param name="logger">AWS layer events; none when null.</param>
    /// <param name="transport">Innermost handler; a SocketsHttpHandler when null.</param>
    public static Route53Client Create(
        Uri endpoint,
        AWSCredentials credentials,
        AwsRequestRateLimiter? rateLimiter = null,
        AwsRetryOptions? retry = null,
        TimeProvider? timeProvider = null,
        ILogger? logger = null,
        HttpMessageHandler? transport = null)
    {
        var http = AwsHttpPipeline.CreateClient(
            endpoint, credentials, RegionEndpoint.USEast1, ServiceName, rateLimiter ?? AwsRequestRateLimiter.Shared, retry, timeProvider, logger, transport);
        return new Route53Client(http);
    }

    public async Task<IReadOnlyList<HostedZone>> ListHostedZonesByNameAsync(string dnsName, int maxItems, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dnsName);
        var path = $"hostedzonesbyname?dnsname={Uri.EscapeDataString(dnsName)}&maxitems={maxItems.ToString(CultureInfo.InvariantCulture)}";
        var document = await SendAsync("ListHostedZonesByName", HttpMethod.Get, path, body: null, cancellationToken);
        return Read("ListHostedZonesByName", document, Route53Xml.ListHostedZonesByName);
    }

    public async Task<HostedZoneDetails> GetHostedZoneAsync(string hostedZoneId, CancellationToken cancellationToken)
    {
        var id = ZoneId(hostedZoneId);
        var document = await SendAsync("GetHostedZone", HttpMethod.Get, $"hostedzone/{id}", body: null, cancellationToken);
        return Read("GetHostedZone", document, Route53Xml.GetHostedZone);
    }

    public async Task<ResourceRecordSetPage> ListResourceRecordSetsAsync(
        string hostedZoneId, string? startName, string? startType, int? maxItems, CancellationToken cancellationToken)
    {
        var id = ZoneId(hostedZoneId);
        if (startType is not null && startName is null)
        {
            throw new ArgumentException("Route53 accepts a start type only together with a start name.", nameof(startType));
        }

        var query = new List<string>();
        if (startName is not null)
        {
            query.Add("name=" + Uri.EscapeDataString(startName));
        }

        if (startType is not null)
        {
            query.Add("type=" + Uri.EscapeDataString(startType));
        }

        if (maxItems is { } max)
        {
            query.Add("maxitems=" + max.ToString(CultureInfo.InvariantCulture));
        }

        var path = $"hostedzone/{id}/rrset" + (query.Count == 0 ? "" : "?" + string.Join('&', query));
        var document = await SendAsync("ListResourceRecordSets", HttpMethod.Get, path, body: null, cancellationToken);
        return Read("ListResourceRecordSets", document, Route53Xml.ListResourceRecordSets);
    }

    public async Task<ChangeInfo> ChangeResourceRecordSetsAsync(string hostedZoneId, ChangeBatch batch, CancellationToken cancellationToken)
    {
        var id = ZoneId(hostedZoneId);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Changes.Count == 0)
        {
            throw new ArgumentException("A change batch needs at least one change.", nameof(batch));
        }

        var body = Route53Xml.ChangeResourceRecordSetsRequest(batch);
        var document = await SendAsync("ChangeResourceRecordSets", HttpMethod.Post, $"hostedzone/{id}/rrset/", body, cancellationToken);
        return Read("ChangeResourceRecordSets", document, d => Route53Xml.ChangeInfo(d, "ChangeResourceRecordSetsResponse"));
    }

    public async Task<ChangeInfo> GetChangeAsync(string changeId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(changeId);
        var id = Uri.EscapeDataString(Route53Xml.StripPrefix(changeId, "/change/"));
        var document = await SendAsync("GetChange", HttpMethod.Get, $"change/{id}", body: null, cancellationToken);
        return Read("GetChange", document, d => Route53Xml.ChangeInfo(d, "GetChangeResponse"));
    }

    public void Dispose() => _http.Dispose();

    private static string ZoneId(string hostedZoneId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hostedZoneId);
        return Uri.EscapeDataString(Route53Xml.StripPrefix(hostedZoneId, "/hostedzone/"));
    }

    private async Task<ParsedResponse> SendAsync(string operation, HttpMethod method, string path, XDocument? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(Endpoint, ApiPrefix + path));
        request.Options.Set(AwsRequestOptions.Operation, operation);
        if (body is not null)
        {
            request.Content = new StringContent(body.Declaration + body.ToString(SaveOptions.DisableFormatting), Encoding.UTF8, "application/xml");
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null;
        if (!response.IsSuccessStatusCode)
        {
            throw ErrorFrom(operation, response.StatusCode, text, response);
        }

        try
        {
            return new ParsedResponse(XDocument.Parse(text), text, response.StatusCode, requestId);
        }
        catch (XmlException ex)
        {
            throw new AwsResponseFormatException(ServiceName, operation, response.StatusCode, $"the answer is not XML ({ex.Message})", text, requestId);
        }
    }

    private static AwsServiceException ErrorFrom(string operation, HttpStatusCode status, string text, HttpResponseMessage response)
    {
        var error = AwsErrorResponseReader.Parse(text, response.Headers);
        if (error.Code is null)
        {
            return new AwsResponseFormatException(
                ServiceName, operation, status, $"HTTP {(int)status} without a Route53 ErrorResponse document", text, error.RequestId);
        }

        return new AwsServiceException(ServiceName, operation, status, error.Code, error.Message ?? string.Empty, error.RequestId);
    }

    private static T Read<T>(string operation, ParsedResponse response, Func<XDocument, T> reader)
    {
        try
        {
            return reader(response.Document);
        }
        catch (FormatException ex)
        {
            throw new AwsResponseFormatException(ServiceName, operation, response.StatusCode, ex.Message, response.Text, response.RequestId);
        }
    }

    private sealed record ParsedResponse(XDocument Document, string Text, HttpStatusCode StatusCode, string? RequestId);
}
