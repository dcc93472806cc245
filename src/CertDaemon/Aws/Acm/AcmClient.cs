using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Amazon;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Aws.Acm;

/// <summary>
/// <see cref="IAcmClient"/> over JSON 1.1 (<c>POST /</c>, <c>X-Amz-Target: CertificateManager.&lt;Op&gt;</c>,
/// <c>Content-Type: application/x-amz-json-1.1</c>). Signing, rate limiting and retries live in the handler chain
/// from <see cref="AwsHttpPipeline"/>; this class only builds requests and reads answers.
/// </summary>
internal sealed class AcmClient : IAcmClient, IDisposable
{
    public const string ServiceName = "acm";
    private const string TargetPrefix = "CertificateManager.";
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/x-amz-json-1.1");

    private readonly HttpClient _http;

    // Only Create builds one: its HttpClient signs for the region, limits, retries and has the endpoint as BaseAddress.
    private AcmClient(HttpClient http, string region)
    {
        _http = http;
        Region = region;
    }

    public string Region { get; }

    /// <summary>The endpoint requests go to.</summary>
    public Uri Endpoint => _http.BaseAddress!;

    /// <summary>ACM's public endpoint in <paramref name="region"/>: <c>https://acm.REGION.amazonaws.com</c> (<c>.com.cn</c> in China).</summary>
    public static Uri DefaultEndpoint(string region)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        var suffix = region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";
        return new Uri($"https://acm.{region}.{suffix}/");
    }

    /// <summary>
    /// The usual way to build a client: signs with <paramref name="credentials"/> for <paramref name="region"/>/acm,
    /// draws from <paramref name="rateLimiter"/>, retries per <paramref name="retry"/> (default <see cref="AwsRetryOptions.Default"/>).
    /// </summary>
    /// <param name="region">Signing region, e.g. <c>eu-west-1</c>.</param>
    /// <param name="endpoint">From <see cref="AwsEndpointResolver.Resolve"/>, or a moto URL in tests.</param>
    /// <param name="credentials">From <see cref="AwsCredentialChain"/> (static ones in tests).</param>
    /// <param name="rateLimiter">
    /// ACM's budget for this region. ACM's quotas are per account and region and differ from Route53's, so do not pass
    /// Route53's bucket; <see cref="AcmClientFactory"/> keeps one per region. A private 5/s bucket when null.
    /// </param>
    /// <param name="retry">Retry bounds.</param>
    /// <param name="timeProvider">Clock for backoff and rate limiting; the default is the system clock.</param>
    /// <param name="logger">AWS layer events; none when null.</param>
    /// <param name="transport">Innermost handler; a SocketsHttpHandler when null.</param>
    public static AcmClient Create(
        string region,
        Uri endpoint,
        AWSCredentials credentials,
        AwsRequestRateLimiter? rateLimiter = null,
        AwsRetryOptions? retry = null,
        TimeProvider? timeProvider = null,
        ILogger? logger = null,
        HttpMessageHandler? transport = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentNullException.ThrowIfNull(endpoint);
        var time = timeProvider ?? TimeProvider.System;
        var http = AwsHttpPipeline.CreateClient(
            endpoint, credentials, RegionEndpoint.GetBySystemName(region), ServiceName,
            rateLimiter ?? new AwsRequestRateLimiter(timeProvider: time), retry, time, logger, transport);
        return new AcmClient(http, region);
    }

    public async Task<string> ImportCertificateAsync(AcmImportRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.CertificatePem);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.PrivateKeyPem);
        if (request.CertificateArn is not null && request.Tags is { Count: > 0 })
        {
            // AWS answers ValidationException; moto accepts it. Refuse here so no test can pass on moto's leniency.
            throw new ArgumentException("ACM refuses tags on a re-import (CertificateArn set); add them with AddTagsToCertificate.", nameof(request));
        }

        var key = Encoding.ASCII.GetBytes(request.PrivateKeyPem);
        if (key.Length > AcmImportRequest.MaxPrivateKeyBytes)
        {
            throw new ArgumentException($"The private key is {key.Length} bytes; ACM accepts at most {AcmImportRequest.MaxPrivateKeyBytes}.", nameof(request));
        }

        var body = new AcmWire.ImportCertificateRequest(
            request.CertificateArn,
            Encoding.ASCII.GetBytes(request.CertificatePem),
            key,
            string.IsNullOrWhiteSpace(request.CertificateChainPem) ? null : Encoding.ASCII.GetBytes(request.CertificateChainPem),
            request.Tags is { Count: > 0 } tags ? [.. tags.Select(t => new AcmWire.Tag(t.Key, t.Value))] : null);

        // Without an ARN every call creates a certificate: it must not be repeated blindly after a lost answer.
        var response = await SendAsync(
            "ImportCertificate", body, AcmJsonContext.Default.ImportCertificateRequest, AcmJsonContext.Default.ImportCertificateResponse,
            idempotent: request.CertificateArn is not null, cancellationToken);
        return string.IsNullOrEmpty(response.Value?.CertificateArn)
            ? throw response.FormatError("ImportCertificate answered without CertificateArn")
            : response.Value.CertificateArn;
    }

    public async Task<AcmCertificateDetail> DescribeCertificateAsync(string certificateArn, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(certificateArn);
        var response = await SendAsync(
            "DescribeCertificate", new AcmWire.CertificateArnRequest(certificateArn), AcmJsonContext.Default.CertificateArnRequest,
            AcmJsonContext.Default.DescribeCertificateResponse, idempotent: true, cancellationToken);
        var c = response.Value?.Certificate ?? throw response.FormatError("DescribeCertificate answered without Certificate");
        string? serial = null;
        if (!string.IsNullOrEmpty(c.Serial))
        {
            serial = AcmSerial.Normalize(c.Serial) ?? throw response.FormatError($"DescribeCertificate answered an unreadable Serial '{c.Serial}'");
        }

        return new AcmCertificateDetail(
            c.CertificateArn ?? certificateArn,
            c.DomainName,
            c.SubjectAlternativeNames ?? [],
            serial,
            c.NotAfter,
            c.InUseBy ?? [],
            c.Type,
            c.KeyAlgorithm,
            c.Status)
        {
            NotBefore = c.NotBefore,
            DomainValidations = [.. (c.DomainValidationOptions ?? []).Where(v => !string.IsNullOrEmpty(v.DomainName)).Select(v => new AcmDomainValidation(
                v.DomainName!, v.ValidationStatus, v.ResourceRecord?.Name, v.ResourceRecord?.Type, v.ResourceRecord?.Value))],
            RenewalEligibility = c.RenewalEligibility,
            RenewalStatus = c.RenewalSummary?.RenewalStatus,
            ExportOption = c.Options?.Export,
            FailureReason = c.FailureReason,
        };
    }

    public async Task<string> RequestCertificateAsync(AcmCertificateRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Domains.Count == 0)
        {
            throw new ArgumentException("at least one domain is required", nameof(request));
        }

        var body = new AcmWire.RequestCertificateRequest(
            request.Domains[0],
            request.Domains.Count > 1 ? request.Domains : null,
            "DNS",
            request.KeyAlgorithm,
            request.IdempotencyToken,
            request.Exportable ? new AcmWire.CertificateOptions(null, "ENABLED") : null,
            request.Tags is { Count: > 0 } tags ? [.. tags.Select(t => new AcmWire.Tag(t.Key, t.Value))] : null);

        // Each request may create a certificate that is charged for: never repeated after a lost answer (the caller
        // looks for it by its tags and the idempotency token covers an hour).
        var response = await SendAsync(
            "RequestCertificate", body, AcmJsonContext.Default.RequestCertificateRequest, AcmJsonContext.Default.ImportCertificateResponse,
            idempotent: false, cancellationToken);
        return string.IsNullOrEmpty(response.Value?.CertificateArn)
            ? throw response.FormatError("RequestCertificate answered without CertificateArn")
            : response.Value.CertificateArn;
    }

    public async Task<AcmExportedCertificate> ExportCertificateAsync(string certificateArn, ReadOnlyMemory<byte> passphrase, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(certificateArn);
        if (passphrase.Length is < 4 or > 128)
        {
            throw new ArgumentException($"ACM needs a passphrase of 4 to 128 bytes, got {passphrase.Length}", nameof(passphrase));
        }

        var response = await SendAsync(
            "ExportCertificate", new AcmWire.ExportCertificateRequest(certificateArn, passphrase.ToArray()), AcmJsonContext.Default.ExportCertificateRequest,
            AcmJsonContext.Default.ExportCertificateResponse, idempotent: true, cancellationToken);
        var value = response.Value;
        if (string.IsNullOrWhiteSpace(value?.Certificate) || string.IsNullOrWhiteSpace(value.PrivateKey))
        {
            // The answer's text may hold key material: never put it in the exception.
            throw new AwsResponseFormatException(
                ServiceName, "ExportCertificate", response.StatusCode, "ExportCertificate answered without Certificate or PrivateKey", "(not shown)", response.RequestId);
        }

        return new AcmExportedCertificate(value.Certificate, value.CertificateChain ?? "", value.PrivateKey);
    }

    public async Task RenewCertificateAsync(string certificateArn, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(certificateArn);
        await SendAsync(
            "RenewCertificate", new AcmWire.CertificateArnRequest(certificateArn), AcmJsonContext.Default.CertificateArnRequest,
            AcmJsonContext.Default.ImportCertificateResponse, idempotent: true, cancellationToken);
    }

    public async Task<AcmCertificatePage> ListCertificatesAsync(
        IReadOnlyList<string>? keyTypes, string? nextToken, int? maxItems, CancellationToken cancellationToken)
    {
        var body = new AcmWire.ListCertificatesRequest(
            keyTypes is { Count: > 0 } ? new AcmWire.Filters(keyTypes) : null,
            string.IsNullOrEmpty(nextToken) ? null : nextToken,
            maxItems);
        var response = await SendAsync(
            "ListCertificates", body, AcmJsonContext.Default.ListCertificatesRequest, AcmJsonContext.Default.ListCertificatesResponse,
            idempotent: true, cancellationToken);
        var list = response.Value?.CertificateSummaryList ?? [];
        var summaries = new List<AcmCertificateSummary>(list.Count);
        foreach (var s in list)
        {
            if (string.IsNullOrEmpty(s.CertificateArn))
            {
                throw response.FormatError("ListCertificates answered an entry without CertificateArn");
            }

            summaries.Add(new AcmCertificateSummary(s.CertificateArn, s.DomainName, s.Type, s.KeyAlgorithm));
        }

        return new AcmCertificatePage(summaries, string.IsNullOrEmpty(response.Value?.NextToken) ? null : response.Value.NextToken);
    }

    public async Task<IReadOnlyDictionary<string, string>> ListTagsForCertificateAsync(string certificateArn, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(certificateArn);
        var response = await SendAsync(
            "ListTagsForCertificate", new AcmWire.CertificateArnRequest(certificateArn), AcmJsonContext.Default.CertificateArnRequest,
            AcmJsonContext.Default.ListTagsResponse, idempotent: true, cancellationToken);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in response.Value?.Tags ?? [])
        {
            tags[tag.Key] = tag.Value ?? string.Empty;
        }

        return tags;
    }

    public async Task AddTagsToCertificateAsync(string certificateArn, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(certificateArn);
        ArgumentNullException.ThrowIfNull(tags);
        if (tags.Count == 0)
        {
            return;
        }

        var body = new AcmWire.AddTagsRequest(certificateArn, [.. tags.Select(t => new AcmWire.Tag(t.Key, t.Value))]);

        // The answer carries nothing (empty body or {}); any object shape is accepted and ignored.
        await SendAsync(
            "AddTagsToCertificate", body, AcmJsonContext.Default.AddTagsRequest, AcmJsonContext.Default.ImportCertificateResponse,
            idempotent: true, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private async Task<Answer<TResponse>> SendAsync<TRequest, TResponse>(
        string operation,
        TRequest body,
        JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType,
        bool idempotent,
        CancellationToken cancellationToken)
        where TResponse : class
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint);
        request.Options.Set(AwsRequestOptions.Operation, operation);
        request.Options.Set(AwsRequestOptions.Idempotent, idempotent);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", TargetPrefix + operation);
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, requestType));
        content.Headers.ContentType = JsonContentType;
        request.Content = content;

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null;
        if (!response.IsSuccessStatusCode)
        {
            var error = AwsErrorResponseReader.Parse(text, response.Headers);
            if (error.Code is null)
            {
                throw new AwsResponseFormatException(
                    ServiceName, operation, response.StatusCode, $"HTTP {(int)response.StatusCode} without an ACM error document", text, error.RequestId);
            }

            throw new AwsServiceException(ServiceName, operation, response.StatusCode, error.Code, error.Message ?? string.Empty, error.RequestId);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            // AddTagsToCertificate answers an empty body (moto) or {} (AWS).
            return new Answer<TResponse>(null, operation, response.StatusCode, text, requestId);
        }

        try
        {
            return new Answer<TResponse>(JsonSerializer.Deserialize(text, responseType), operation, response.StatusCode, text, requestId);
        }
        catch (JsonException ex)
        {
            throw new AwsResponseFormatException(ServiceName, operation, response.StatusCode, $"the answer is not ACM JSON ({ex.Message})", text, requestId);
        }
    }

    private sealed record Answer<T>(T? Value, string Operation, HttpStatusCode StatusCode, string Text, string? RequestId)
        where T : class
    {
        public AwsResponseFormatException FormatError(string problem) =>
            new(ServiceName, Operation, StatusCode, problem, Text, RequestId);
    }
}
