using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Reflection;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Acme;

/// <summary>
/// RFC 8555 (and RFC 9773 ARI) protocol client: signs every request as a JWS with the account key, keeps a nonce pool,
/// re-signs only after badNonce (bounded), and turns problem documents into typed exceptions. It knows nothing of DNS,
/// files or deployment; the order workflow lives in Issuance/.
/// </summary>
/// <remarks>
/// Safe for concurrent calls. It does not own the <see cref="HttpClient"/> or the account keys (dispose them yourself).
/// Errors: <see cref="AcmeProblemException"/> (and subclasses) when the CA refuses, <see cref="AcmeProtocolException"/>
/// when it answers garbage, <see cref="HttpRequestException"/> when it cannot be reached.
/// </remarks>
internal sealed partial class AcmeClient : IDisposable
{
    private const string JoseJsonMediaType = "application/jose+json";
    private const string PemChainMediaType = "application/pem-certificate-chain";
    private static readonly byte[] EmptyObjectPayload = "{}"u8.ToArray();

    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger<AcmeClient> _logger;
    private readonly AcmeClientOptions _options;
    private readonly string _userAgent;
    private readonly ConcurrentQueue<string> _nonces = new();
    private readonly SemaphoreSlim _directoryLock = new(1, 1);
    private AcmeDirectory? _directory;
    private AccountKey _accountKey;

    public AcmeClient(HttpClient http, Uri directoryUrl, AccountKey accountKey, TimeProvider time, ILogger<AcmeClient> logger, AcmeClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(directoryUrl);
        ArgumentNullException.ThrowIfNull(accountKey);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        if (!directoryUrl.IsAbsoluteUri || (directoryUrl.Scheme != Uri.UriSchemeHttps && directoryUrl.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"the ACME directory URL must be an absolute https:// (or http://) URL, not '{directoryUrl.OriginalString}'", nameof(directoryUrl));
        }

        options ??= new AcmeClientOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxBadNonceRetries, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.PollInitialInterval, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PollMaxInterval, options.PollInitialInterval, nameof(options));

        _http = http;
        DirectoryUrl = directoryUrl;
        _accountKey = accountKey;
        _time = time;
        _logger = logger;
        _options = options;
        _userAgent = options.UserAgent ?? DefaultUserAgent();
    }

    public Uri DirectoryUrl { get; }

    /// <summary>The key requests are signed with; replaced by <see cref="ChangeKeyAsync"/>.</summary>
    public AccountKey AccountKey => Volatile.Read(ref _accountKey);

    /// <summary>The account URL ("kid", RFC 8555 6.2). Set by create/find, or from saved state before other calls.</summary>
    public Uri? AccountUrl { get; set; }

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

            var response = await SendAsync(HttpMethod.Get, DirectoryUrl, null, "application/json", poolNonce: true, ct);
            if (!response.IsSuccess)
            {
                throw CreateError(response);
            }

            var directory = ParseJson(response, AcmeJsonContext.Default.AcmeDirectory);
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

    /// <summary>
    /// newAccount (RFC 8555 7.3). If the key is already registered the CA answers 200 with the existing account's
    /// Location (7.3.1) and that account is returned. Sets <see cref="AccountUrl"/>.
    /// </summary>
    public async Task<AcmeAccount> CreateAccountAsync(NewAccountOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var directory = await GetDirectoryAsync(ct);
        var key = AccountKey;
        var request = new NewAccountRequest
        {
            Contact = options.Contact.Count > 0 ? options.Contact : null,
            TermsOfServiceAgreed = options.TermsOfServiceAgreed,
            ExternalAccountBinding = options.ExternalAccountBinding is { } binding ? CreateExternalAccountBinding(binding, key, directory.NewAccount) : null,
        };
        var response = await PostAsync(directory.NewAccount, Serialize(request, AcmeJsonContext.Default.NewAccountRequest), key, useJwk: true, accept: null, ct);
        var account = ReadAccount(response);
        AccountUrl = account.Url;
        if (response.StatusCode == System.Net.HttpStatusCode.Created)
        {
            AcmeLog.AccountCreated(_logger, account.Url);
        }
        else
        {
            AcmeLog.AccountExisting(_logger, account.Url);
        }

        return account;
    }

    /// <summary>Looks the account up by key without creating one (RFC 8555 7.3.1 onlyReturnExisting). Sets <see cref="AccountUrl"/> when found.</summary>
    public async Task<AcmeAccountLookup> FindAccountAsync(CancellationToken ct)
    {
        var directory = await GetDirectoryAsync(ct);
        var request = new NewAccountRequest { OnlyReturnExisting = true };
        AcmeHttpResponse response;
        try
        {
            response = await PostAsync(directory.NewAccount, Serialize(request, AcmeJsonContext.Default.NewAccountRequest), AccountKey, useJwk: true, accept: null, ct);
        }
        catch (AcmeProblemException ex) when (ex.Problem.IsType(AcmeErrorTypes.AccountDoesNotExist))
        {
            AcmeLog.AccountNotFound(_logger, DirectoryUrl);
            return AcmeAccountLookup.NotFound;
        }

        var account = ReadAccount(response);
        AccountUrl = account.Url;
        AcmeLog.AccountExisting(_logger, account.Url);
        return new AcmeAccountLookup(true, account);
    }

    /// <summary>Replaces the account's contact list (RFC 8555 7.3.2); an empty list removes all contacts.</summary>
    public async Task<AcmeAccount> UpdateContactAsync(IReadOnlyList<string> contact, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var accountUrl = RequireAccountUrl();
        var response = await PostAsync(accountUrl, Serialize(new AccountUpdateRequest(contact), AcmeJsonContext.Default.AccountUpdateRequest), AccountKey, useJwk: false, accept: null, ct);
        var account = ParseJson(response, AcmeJsonContext.Default.AcmeAccount) with { Url = accountUrl };
        AcmeLog.ContactUpdated(_logger, accountUrl, account.Contact.Count);
        return account;
    }

    /// <summary>
    /// Account key rollover (RFC 8555 7.3.5): an inner JWS signed by <paramref name="newKey"/> (jwk header, no nonce) over
    /// {account, oldKey}, wrapped in a request signed by the current key. Afterwards this client signs with the new key;
    /// the caller must persist it (the old key no longer identifies the account).
    /// </summary>
    public async Task ChangeKeyAsync(AccountKey newKey, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(newKey);
        var directory = await GetDirectoryAsync(ct);
        var keyChangeUrl = directory.KeyChange ?? throw new AcmeNotSupportedException("keyChange", DirectoryUrl);
        var accountUrl = RequireAccountUrl();
        var oldKey = AccountKey;
        var inner = AcmeJws.Sign(
            newKey,
            new JwsProtectedHeader { Alg = newKey.JwsAlgorithm, Jwk = newKey.Jwk, Url = keyChangeUrl.AbsoluteUri },
            Serialize(new KeyChangeRequest(accountUrl.AbsoluteUri, oldKey.Jwk), AcmeJsonContext.Default.KeyChangeRequest));
        await PostAsync(keyChangeUrl, Serialize(inner, AcmeJsonContext.Default.JwsMessage), oldKey, useJwk: false, accept: null, ct);
        Volatile.Write(ref _accountKey, newKey);
        AcmeLog.AccountKeyChanged(_logger, accountUrl, newKey.Thumbprint);
    }

    /// <summary>
    /// newOrder (RFC 8555 7.4) for DNS identifiers. A requested profile missing from meta.profiles is refused with
    /// <see cref="AcmeProfileNotOfferedException"/> before anything is sent. "replaces" (RFC 9773 5) may be refused with
    /// <see cref="AlreadyReplacedException"/>: retry without it.
    /// </summary>
    public async Task<AcmeOrder> NewOrderAsync(NewOrderOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.DnsNames is null || options.DnsNames.Count == 0 || options.DnsNames.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("an order needs at least one non-empty DNS name", nameof(options));
        }

        var directory = await GetDirectoryAsync(ct);
        var profile = string.IsNullOrEmpty(options.Profile) ? null : options.Profile;
        if (profile is not null && !directory.Meta.Profiles.ContainsKey(profile))
        {
            throw new AcmeProfileNotOfferedException(profile, [.. directory.Meta.Profiles.Keys.Order(StringComparer.Ordinal)], DirectoryUrl);
        }

        var request = new NewOrderRequest
        {
            Identifiers = [.. options.DnsNames.Select(AcmeIdentifier.Dns)],
            Profile = profile,
            Replaces = string.IsNullOrEmpty(options.Replaces) ? null : options.Replaces,
            NotBefore = options.NotBefore,
            NotAfter = options.NotAfter,
        };
        var response = await PostAsync(directory.NewOrder, Serialize(request, AcmeJsonContext.Default.NewOrderRequest), AccountKey, useJwk: false, accept: null, ct);
        var order = ParseJson(response, AcmeJsonContext.Default.AcmeOrder) with { Url = response.RequireLocation() };
        AcmeLog.OrderCreated(_logger, order.Url, string.Join(",", options.DnsNames), order.Status);
        return order;
    }

    /// <summary>POST-as-GET of an order (RFC 8555 7.1.3, 6.3).</summary>
    public async Task<AcmeOrder> GetOrderAsync(Uri orderUrl, CancellationToken ct) =>
        (await FetchAsync(orderUrl, AcmeJsonContext.Default.AcmeOrder, ct)).Resource with { Url = orderUrl };

    /// <summary>POST-as-GET of an authorization (RFC 8555 7.5).</summary>
    public async Task<AcmeAuthorization> GetAuthorizationAsync(Uri authorizationUrl, CancellationToken ct) =>
        (await FetchAsync(authorizationUrl, AcmeJsonContext.Default.AcmeAuthorization, ct)).Resource with { Url = authorizationUrl };

    /// <summary>Tells the CA the challenge is ready (RFC 8555 7.5.1): POST with payload {}. Publish the DNS record first.</summary>
    public async Task<AcmeChallenge> RespondToChallengeAsync(Uri challengeUrl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(challengeUrl);
        var response = await PostAsync(challengeUrl, EmptyObjectPayload, AccountKey, useJwk: false, accept: null, ct);
        return ParseJson(response, AcmeJsonContext.Default.AcmeChallenge);
    }

    /// <summary>
    /// Polls an authorization until it is no longer pending (RFC 8555 7.5.1), honouring Retry-After, otherwise backing
    /// off from <see cref="AcmeClientOptions.PollInitialInterval"/> doubling up to <see cref="AcmeClientOptions.PollMaxInterval"/>.
    /// Returns the valid authorization; any other final state raises <see cref="AcmeValidationException"/> naming the
    /// identifier and the challenge error; still pending at the deadline raises <see cref="AcmeTimeoutException"/>.
    /// </summary>
    public async Task<AcmeAuthorization> WaitForAuthorizationAsync(Uri authorizationUrl, TimeSpan timeout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(authorizationUrl);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        var deadline = _time.GetUtcNow() + timeout;
        var backoff = _options.PollInitialInterval;
        while (true)
        {
            var (fetched, retryAfter) = await FetchAsync(authorizationUrl, AcmeJsonContext.Default.AcmeAuthorization, ct);
            var authorization = fetched with { Url = authorizationUrl };
            switch (authorization.Status)
            {
                case AcmeStatus.Valid:
                    return authorization;
                case AcmeStatus.Pending or AcmeStatus.Processing:
                    backoff = await DelayBeforeNextPollAsync(authorizationUrl, authorization.Status, retryAfter, backoff, deadline, timeout, ct);
                    break;
                default:
                    var failed = authorization.Challenges.FirstOrDefault(static c => c.Error is not null)
                        ?? authorization.Challenges.FirstOrDefault(static c => c.Status == AcmeStatus.Invalid);
                    var exception = new AcmeValidationException(authorization, failed);
                    AcmeLog.ValidationFailed(_logger, authorization.Identifier.ToString(), exception.Message);
                    throw exception;
            }
        }
    }

    /// <summary>
    /// Sends the CSR (DER) to the order's finalize URL (RFC 8555 7.4). The answer is usually "processing": follow with
    /// <see cref="WaitForOrderAsync"/>. An order that comes back invalid raises <see cref="AcmeOrderFailedException"/>.
    /// </summary>
    public async Task<AcmeOrder> FinalizeAsync(AcmeOrder order, ReadOnlyMemory<byte> csrDer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (csrDer.IsEmpty)
        {
            throw new ArgumentException("the CSR is empty", nameof(csrDer));
        }

        var request = new FinalizeRequest(Base64Url.EncodeToString(csrDer.Span));
        var response = await PostAsync(order.Finalize, Serialize(request, AcmeJsonContext.Default.FinalizeRequest), AccountKey, useJwk: false, accept: null, ct);
        var finalized = ParseJson(response, AcmeJsonContext.Default.AcmeOrder) with { Url = order.Url };
        AcmeLog.OrderFinalized(_logger, finalized.Url, finalized.Status);
        return finalized.Status == AcmeStatus.Invalid ? throw new AcmeOrderFailedException(finalized) : finalized;
    }

    /// <summary>
    /// Polls an order while it is pending (authorizations being validated) or processing (being issued), RFC 8555 7.1.6.
    /// Returns it once ready (finalize next) or valid (certificate URL set), or in a status this client does not know;
    /// invalid raises <see cref="AcmeOrderFailedException"/>, the deadline <see cref="AcmeTimeoutException"/>.
    /// </summary>
    public async Task<AcmeOrder> WaitForOrderAsync(Uri orderUrl, TimeSpan timeout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(orderUrl);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        var deadline = _time.GetUtcNow() + timeout;
        var backoff = _options.PollInitialInterval;
        while (true)
        {
            var (fetched, retryAfter) = await FetchAsync(orderUrl, AcmeJsonContext.Default.AcmeOrder, ct);
            var order = fetched with { Url = orderUrl };
            switch (order.Status)
            {
                case AcmeStatus.Pending or AcmeStatus.Processing:
                    backoff = await DelayBeforeNextPollAsync(orderUrl, order.Status, retryAfter, backoff, deadline, timeout, ct);
                    break;
                case AcmeStatus.Invalid:
                    throw new AcmeOrderFailedException(order);
                default:
                    return order;
            }
        }
    }

    /// <summary>
    /// Downloads the certificate (RFC 8555 7.4.2) as application/pem-certificate-chain: the CA's default chain first,
    /// then every chain offered with Link rel="alternate", in the order the CA listed them.
    /// </summary>
    public async Task<IReadOnlyList<AcmeCertificateChain>> DownloadCertificateChainsAsync(Uri certificateUrl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(certificateUrl);
        var (defaultChain, response) = await DownloadChainAsync(certificateUrl, ct);
        var chains = new List<AcmeCertificateChain> { defaultChain };
        foreach (var alternate in ParseLinks(response, "alternate"))
        {
            chains.Add((await DownloadChainAsync(alternate, ct)).Chain);
        }

        AcmeLog.CertificateDownloaded(_logger, certificateUrl, chains.Count);
        return chains;
    }

    /// <summary>
    /// ARI (RFC 9773 4.1): plain GET of renewalInfo/{CertID}. Raises <see cref="AcmeNotSupportedException"/> when the
    /// directory has no renewalInfo, <see cref="AcmeProtocolException"/> when the window is missing or end is not after start.
    /// </summary>
    public async Task<AriRenewalInfo> GetRenewalInfoAsync(AriCertificateId id, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(id.Value))
        {
            throw new ArgumentException("the ARI CertID is empty", nameof(id));
        }

        var directory = await GetDirectoryAsync(ct);
        var baseUrl = directory.RenewalInfo ?? throw new AcmeNotSupportedException("renewalInfo", DirectoryUrl);
        var url = new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + "/" + Uri.EscapeDataString(id.Value));
        var response = await SendAsync(HttpMethod.Get, url, null, "application/json", poolNonce: true, ct);
        if (!response.IsSuccess)
        {
            throw CreateError(response);
        }

        var body = ParseJson(response, AcmeJsonContext.Default.RenewalInfoResponse);
        if (body.SuggestedWindow.End <= body.SuggestedWindow.Start)
        {
            throw new AcmeProtocolException(url, $"suggestedWindow end {body.SuggestedWindow.End:O} is not after start {body.SuggestedWindow.Start:O} (RFC 9773 4.2)");
        }

        var info = new AriRenewalInfo(
            new AriSuggestedWindow(body.SuggestedWindow.Start, body.SuggestedWindow.End),
            body.ExplanationUrl,
            response.RetryAfter(_time.GetUtcNow()));
        AcmeLog.RenewalInfoFetched(_logger, id.Value, info.SuggestedWindow.Start, info.SuggestedWindow.End, info.ExplanationUrl);
        return info;
    }

    /// <summary>Revokes a certificate (RFC 8555 7.6), signed by the account key (kid) that ordered it.</summary>
    public async Task RevokeCertificateAsync(ReadOnlyMemory<byte> certificateDer, RevocationReason? reason, CancellationToken ct)
    {
        if (certificateDer.IsEmpty)
        {
            throw new ArgumentException("the certificate is empty", nameof(certificateDer));
        }

        string serial;
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(certificateDer.Span);
            serial = certificate.SerialNumber;
        }
        catch (CryptographicException ex)
        {
            throw new ArgumentException("not a DER X.509 certificate: " + ex.Message, nameof(certificateDer), ex);
        }

        var directory = await GetDirectoryAsync(ct);
        var revokeUrl = directory.RevokeCert ?? throw new AcmeNotSupportedException("revokeCert", DirectoryUrl);
        var request = new RevocationRequest { Certificate = Base64Url.EncodeToString(certificateDer.Span), Reason = (int?)reason };
        await PostAsync(revokeUrl, Serialize(request, AcmeJsonContext.Default.RevocationRequest), AccountKey, useJwk: false, accept: null, ct);
        AcmeLog.CertificateRevoked(_logger, serial, reason?.ToString() ?? "none");
    }

    /// <summary>RFC 8555 8.1: token "." base64url(JWK thumbprint of the current account key).</summary>
    public string GetKeyAuthorization(string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        return token + "." + AccountKey.Thumbprint;
    }

    /// <summary>RFC 8555 8.4: the TXT value at _acme-challenge.&lt;name&gt;, base64url(SHA-256(key authorization)).</summary>
    public string GetDns01TxtValue(string token) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(GetKeyAuthorization(token))));

    public void Dispose() => _directoryLock.Dispose();

    private static string DefaultUserAgent()
    {
        var version = typeof(AcmeClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return "CertDaemon/" + (plus > 0 ? version[..plus] : version);
    }

    private static byte[] Serialize<T>(T value, JsonTypeInfo<T> typeInfo) => JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);

    // RFC 8555 7.3.4: HS256 JWS over the account's public JWK, protected {alg, kid, url = newAccount URL}.
    private static JwsMessage CreateExternalAccountBinding(ExternalAccountBinding binding, AccountKey key, Uri newAccountUrl)
    {
        byte[] macKey;
        try
        {
            macKey = Base64Url.DecodeFromChars(binding.HmacKeyBase64Url.Trim());
        }
        catch (FormatException ex)
        {
            throw new ArgumentException($"the EAB HMAC key for key id '{binding.KeyId}' is not base64url", nameof(binding), ex);
        }

        return AcmeJws.SignHmacSha256(
            macKey,
            new JwsProtectedHeader { Alg = "HS256", Kid = binding.KeyId, Url = newAccountUrl.AbsoluteUri },
            Serialize(key.Jwk, AcmeJsonContext.Default.JsonWebKey));
    }

    // RFC 8555 6.3: POST-as-GET, payload "".
    private async Task<(T Resource, DateTimeOffset? RetryAfter)> FetchAsync<T>(Uri url, JsonTypeInfo<T> typeInfo, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(url);
        var response = await PostAsync(url, [], AccountKey, useJwk: false, accept: null, ct);
        return (ParseJson(response, typeInfo), response.RetryAfter(_time.GetUtcNow()));
    }

    private async Task<TimeSpan> DelayBeforeNextPollAsync(
        Uri url, AcmeStatus status, DateTimeOffset? retryAfter, TimeSpan backoff, DateTimeOffset deadline, TimeSpan timeout, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        if (now >= deadline)
        {
            throw new AcmeTimeoutException(url, timeout, status);
        }

        // RFC 8555 7.5.1 / 7.4: honour Retry-After; without it, back off exponentially. Never sleep past the deadline:
        // one last poll happens at the deadline itself.
        var wait = retryAfter is { } at && at > now ? at - now : backoff;
        if (now + wait > deadline)
        {
            wait = deadline - now;
        }

        AcmeLog.Polling(_logger, url, status, (long)wait.TotalMilliseconds);
        await Task.Delay(wait, _time, ct);
        var doubled = backoff * 2;
        return doubled > _options.PollMaxInterval ? _options.PollMaxInterval : doubled;
    }

    private async Task<(AcmeCertificateChain Chain, AcmeHttpResponse Response)> DownloadChainAsync(Uri url, CancellationToken ct)
    {
        var response = await PostAsync(url, [], AccountKey, useJwk: false, accept: PemChainMediaType, ct);
        if (response.MediaType is not (PemChainMediaType or "application/x-pem-file"))
        {
            throw new AcmeProtocolException(url, $"expected {PemChainMediaType}, got {response.MediaType ?? "no Content-Type"}: {Snippet(response.Body)}");
        }

        return (new AcmeCertificateChain(url, Encoding.UTF8.GetString(response.Body)), response);
    }

    /// <summary>
    /// A JWS POST (RFC 8555 6.2) with a nonce from the pool (or newNonce). On badNonce the request is re-signed with the
    /// fresh nonce the error carried and resent, at most <see cref="AcmeClientOptions.MaxBadNonceRetries"/> times
    /// (RFC 8555 6.5). No other error is retried here (rateLimited in particular is the caller's to schedule).
    /// </summary>
    private async Task<AcmeHttpResponse> PostAsync(Uri url, byte[] payload, AccountKey key, bool useJwk, string? accept, CancellationToken ct)
    {
        var kid = useJwk ? null : RequireAccountUrl().AbsoluteUri;
        for (var retry = 0; ; retry++)
        {
            var nonce = await GetNonceAsync(ct);
            var header = new JwsProtectedHeader
            {
                Alg = key.JwsAlgorithm,
                Jwk = useJwk ? key.Jwk : null,
                Kid = kid,
                Nonce = nonce,
                Url = url.AbsoluteUri,
            };
            var body = Serialize(AcmeJws.Sign(key, header, payload), AcmeJsonContext.Default.JwsMessage);
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(JoseJsonMediaType);
            var response = await SendAsync(HttpMethod.Post, url, content, accept, poolNonce: true, ct);
            if (response.IsSuccess)
            {
                return response;
            }

            var problem = TryParseProblem(response);
            if (problem is not null && problem.IsType(AcmeErrorTypes.BadNonce) && retry < _options.MaxBadNonceRetries)
            {
                AcmeLog.BadNonceRetry(_logger, url, retry + 1, _options.MaxBadNonceRetries);
                continue;
            }

            throw CreateError(response, problem);
        }
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

    private Uri RequireAccountUrl() =>
        AccountUrl ?? throw new InvalidOperationException("no ACME account URL: call CreateAccountAsync or FindAccountAsync first, or set AccountUrl from saved state");

    private AcmeAccount ReadAccount(AcmeHttpResponse response)
    {
        var url = response.RequireLocation();
        var account = response.Body.Length == 0
            ? new AcmeAccount { Status = AcmeStatus.Unknown }
            : ParseJson(response, AcmeJsonContext.Default.AcmeAccount);
        return account with { Url = url };
    }

    private T ParseJson<T>(AcmeHttpResponse response, JsonTypeInfo<T> typeInfo)
    {
        if (!IsJson(response.MediaType))
        {
            throw new AcmeProtocolException(response.RequestUrl, $"expected application/json, got {response.MediaType ?? "no Content-Type"} (HTTP {(int)response.StatusCode}): {Snippet(response.Body)}");
        }

        try
        {
            return JsonSerializer.Deserialize(response.Body, typeInfo)
                ?? throw new AcmeProtocolException(response.RequestUrl, $"the JSON body is null where a {typeof(T).Name} was expected");
        }
        catch (JsonException ex)
        {
            throw new AcmeProtocolException(response.RequestUrl, $"invalid {typeof(T).Name} JSON: {ex.Message}", ex);
        }
    }

    private static bool IsJson(string? mediaType) =>
        mediaType is not null && (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    // RFC 8555 6.7: errors are application/problem+json; accept plain JSON with a "type" too.
    private static AcmeProblem? TryParseProblem(AcmeHttpResponse response)
    {
        if (!IsJson(response.MediaType) || response.Body.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(response.Body);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("type", out _))
            {
                return null;
            }

            return document.RootElement.Deserialize(AcmeJsonContext.Default.AcmeProblem);
        }
        catch (JsonException)
        {
            return null; // not a problem document; CreateError reports the raw answer instead
        }
    }

    private AcmeException CreateError(AcmeHttpResponse response, AcmeProblem? problem = null)
    {
        problem ??= TryParseProblem(response);
        if (problem is null)
        {
            return new AcmeProtocolException(
                response.RequestUrl,
                $"{response.Method} answered HTTP {(int)response.StatusCode} with {response.MediaType ?? "no Content-Type"} instead of a problem document: {Snippet(response.Body)}");
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

    private static string Snippet(byte[] body)
    {
        if (body.Length == 0)
        {
            return "(empty body)";
        }

        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200)).ReplaceLineEndings(" ");
        return body.Length > 200 ? $"\"{text}...\"" : $"\"{text}\"";
    }

    // RFC 8288 Link headers; RFC 8555 7.4.2 offers alternate chains as rel="alternate". Relative targets resolve against the request URL.
    private static IEnumerable<Uri> ParseLinks(AcmeHttpResponse response, string relation)
    {
        foreach (var header in response.LinkHeaders)
        {
            foreach (Match match in LinkValue().Matches(header))
            {
                var parameters = match.Groups["params"].Value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var relations = parameters
                    .Select(static p => p.Split('=', 2, StringSplitOptions.TrimEntries))
                    .Where(static p => p.Length == 2 && p[0].Equals("rel", StringComparison.OrdinalIgnoreCase))
                    .SelectMany(static p => p[1].Trim('"').Split(' ', StringSplitOptions.RemoveEmptyEntries));
                if (relations.Contains(relation, StringComparer.OrdinalIgnoreCase)
                    && Uri.TryCreate(response.RequestUrl, match.Groups["url"].Value, out var target))
                {
                    yield return target;
                }
            }
        }
    }

    [GeneratedRegex("""<(?<url>[^>]*)>(?<params>(?:\s*;\s*[^;,]+)*)""")]
    private static partial Regex LinkValue();
}
