using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Acme;

/// <summary>
/// The HTTP side of RFC 8555: fetches and caches the directory, keeps the Replay-Nonce pool, sends each POST as a
/// JWS signed with the key it is given, and turns every answer that is not a success into a typed error.
/// </summary>
/// <remarks>
/// Contract: safe for concurrent calls. Only badNonce is retried, re-signed with a fresh nonce, at most
/// <see cref="AcmeClientOptions.MaxBadNonceRetries"/> times (RFC 8555 6.5); every other refusal is raised at once as
/// <see cref="AcmeProblemException"/> (or a subclass), rateLimited included, which is the caller's to schedule. An
/// answer that breaks the protocol is an <see cref="AcmeProtocolException"/>, silence past
/// <see cref="HttpClient.Timeout"/> an <see cref="AcmeUnansweredException"/>. It knows no account: the key and
/// "kid" come with each request. It does not own the <see cref="HttpClient"/>.
/// </remarks>
internal sealed class AcmeTransport : IDisposable
{
    private const string JoseJsonMediaType = "application/jose+json";

    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _maxBadNonceRetries;
    private readonly string _userAgent;
    private readonly ConcurrentQueue<string> _nonces = new();
    private readonly SemaphoreSlim _directoryLock = new(1, 1);
    private AcmeDirectory? _directory;

    /// <param name="http">Sends the requests; not disposed here.</param>
    /// <param name="directoryUrl">The CA's directory (absolute).</param>
    /// <param name="time">Turns Retry-After into an absolute time.</param>
    /// <param name="logger">ACME events (the client's category).</param>
    /// <param name="maxBadNonceRetries">How often one request is re-signed after badNonce.</param>
    /// <param name="userAgent">The User-Agent header; null sends "CertDaemon/&lt;version&gt;".</param>
    public AcmeTransport(HttpClient http, Uri directoryUrl, TimeProvider time, ILogger logger, int maxBadNonceRetries, string? userAgent)
    {
        _http = http;
        DirectoryUrl = directoryUrl;
        _time = time;
        _logger = logger;
        _maxBadNonceRetries = maxBadNonceRetries;
        _userAgent = userAgent ?? DefaultUserAgent();
    }

    public Uri DirectoryUrl { get; }

    /// <summary>The directory (RFC 8555 7.1.1), fetched once and cached; a failed fetch is not cached.</summary>
    public async Task<AcmeDirectory> GetDirectoryAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _directory) is { } cached)
        {
            return cached;
        }

        await _directoryLock.WaitAsync(ct);
        try
        {
            if (_directory is { } fetched)
            {
                return fetched;
            }

            var directory = (await GetAsync(DirectoryUrl, ct)).ParseJson(AcmeJsonContext.Default.AcmeDirectory);
            foreach (var (name, url) in new[] { ("newNonce", directory.NewNonce), ("newAccount", directory.NewAccount), ("newOrder", directory.NewOrder) })
            {
                if (!url.IsAbsoluteUri)
                {
                    throw new AcmeProtocolException(DirectoryUrl, $"directory member {name} is not an absolute URL: '{url.OriginalString}'");
                }
            }

            AcmeLog.DirectoryFetched(_logger, DirectoryUrl, directory.RenewalInfo is not null, directory.Meta.Profiles.Count);
            Volatile.Write(ref _directory, directory);
            return directory;
        }
        finally
        {
            _directoryLock.Release();
        }
    }

    /// <summary>A plain GET of a JSON resource (the directory, ARI); a refusal is raised as a typed error.</summary>
    public async Task<AcmeHttpResponse> GetAsync(Uri url, CancellationToken ct)
    {
        var response = await SendAsync(HttpMethod.Get, url, null, "application/json", poolNonce: true, ct);
        return response.IsSuccess ? response : throw CreateError(response);
    }

    /// <summary>
    /// A JWS POST (RFC 8555 6.2) with a nonce from the pool (or newNonce). On badNonce the request is re-signed with the
    /// fresh nonce the error carried and resent, at most <see cref="AcmeClientOptions.MaxBadNonceRetries"/> times
    /// (RFC 8555 6.5). No other error is retried here (rateLimited in particular is the caller's to schedule).
    /// </summary>
    /// <param name="url">The resource; also the JWS "url" header.</param>
    /// <param name="payload">The JSON payload; empty for POST-as-GET (RFC 8555 6.3).</param>
    /// <param name="key">Signs the request.</param>
    /// <param name="kid">The account URL; null sends the key itself as "jwk" (newAccount, RFC 8555 6.2).</param>
    /// <param name="accept">The Accept header, when the answer is not JSON.</param>
    /// <param name="ct">Cancels the request.</param>
    public async Task<AcmeHttpResponse> PostAsync(Uri url, byte[] payload, AccountKey key, string? kid, string? accept, CancellationToken ct)
    {
        for (var retry = 0; ; retry++)
        {
            var nonce = await GetNonceAsync(ct);
            var header = new JwsProtectedHeader
            {
                Alg = key.JwsAlgorithm,
                Jwk = kid is null ? key.Jwk : null,
                Kid = kid,
                Nonce = nonce,
                Url = url.AbsoluteUri,
            };
            var body = JsonSerializer.SerializeToUtf8Bytes(AcmeJws.Sign(key, header, payload), AcmeJsonContext.Default.JwsMessage);
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(JoseJsonMediaType);
            var response = await SendAsync(HttpMethod.Post, url, content, accept, poolNonce: true, ct);
            if (response.IsSuccess)
            {
                return response;
            }

            var problem = response.TryParseProblem();
            if (problem is not null && problem.IsType(AcmeErrorTypes.BadNonce) && retry < _maxBadNonceRetries)
            {
                AcmeLog.BadNonceRetry(_logger, url, retry + 1, _maxBadNonceRetries);
                continue;
            }

            throw CreateError(response, problem);
        }
    }

    public void Dispose() => _directoryLock.Dispose();

    private static string DefaultUserAgent()
    {
        var version = typeof(AcmeClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return "CertDaemon/" + (plus > 0 ? version[..plus] : version);
    }

    // RFC 8555 7.2: a HEAD to newNonce returns a fresh Replay-Nonce; used only when the pool is empty.
    private async Task<string> GetNonceAsync(CancellationToken ct)
    {
        if (_nonces.TryDequeue(out var pooled))
        {
            return pooled;
        }

        var directory = await GetDirectoryAsync(ct);
        var response = await SendAsync(HttpMethod.Head, directory.NewNonce, null, null, poolNonce: false, ct);
        if (!response.IsSuccess)
        {
            throw new AcmeProtocolException(directory.NewNonce, $"newNonce answered HTTP {(int)response.StatusCode}");
        }

        return response.ReplayNonce ?? throw new AcmeProtocolException(directory.NewNonce, "the newNonce response has no valid Replay-Nonce header");
    }

    private async Task<AcmeHttpResponse> SendAsync(HttpMethod method, Uri url, HttpContent? content, string? accept, bool poolNonce, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.TryAddWithoutValidation("User-Agent", _userAgent);
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        HttpResponseMessage? sent = null;
        byte[] body;
        try
        {
            sent = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            body = await sent.Content.ReadAsByteArrayAsync(ct);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            // HttpClient.Timeout surfaces as a cancellation nobody asked for: it is the CA's silence, an error.
            sent?.Dispose();
            throw new AcmeUnansweredException(method, url, _http.Timeout, e);
        }

        using var response = sent;

        // RFC 8555 6.5.1: every response may carry a nonce; keep it, ignoring values that are not base64url.
        string? nonce = null;
        if (response.Headers.TryGetValues("Replay-Nonce", out var nonces))
        {
            nonce = nonces.FirstOrDefault(static n => n.Length > 0 && n.All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
        }

        if (poolNonce && nonce is not null)
        {
            _nonces.Enqueue(nonce);
        }

        var links = response.Headers.TryGetValues("Link", out var linkValues) ? linkValues.ToList() : [];
        return new AcmeHttpResponse(
            method, url, response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers.Location,
            response.Headers.RetryAfter, links, nonce, body);
    }

    private AcmeException CreateError(AcmeHttpResponse response, AcmeProblem? problem = null)
    {
        problem ??= response.TryParseProblem();
        if (problem is null)
        {
            return new AcmeProtocolException(
                response.RequestUrl,
                $"{response.Method} answered HTTP {(int)response.StatusCode} with {response.MediaType ?? "no Content-Type"} instead of a problem document: {AcmeResponseParsing.Snippet(response.Body)}");
        }

        var status = (int)response.StatusCode;
        AcmeLog.ProblemReceived(_logger, problem.Type, response.Method.Method, response.RequestUrl, status);
        var exception = AcmeProblemException.Create(problem, response.Method, response.RequestUrl, status, response.RetryAfter(_time.GetUtcNow()));
        if (exception is RateLimitedException rateLimited)
        {
            AcmeLog.RateLimited(_logger, response.RequestUrl, problem.Detail, rateLimited.RetryAfter);
        }

        return exception;
    }
}
