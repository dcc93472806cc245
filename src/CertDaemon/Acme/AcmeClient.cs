using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Acme;

/// <summary>
/// RFC 8555 (and RFC 9773 ARI) protocol operations: account, order, authorization, challenge, finalize, download,
/// renewal information and revocation, each one request (or one poll loop) whose answer becomes a typed resource.
/// It knows nothing of DNS, files or deployment; the order workflow lives in Issuance/.
/// </summary>
/// <remarks>
/// Safe for concurrent calls. It does not own the <see cref="HttpClient"/> or the account keys (dispose them yourself).
/// Signing, nonces, the badNonce retry and error typing are <see cref="AcmeTransport"/>'s. Errors:
/// <see cref="AcmeProblemException"/> (and subclasses) when the CA refuses, <see cref="AcmeProtocolException"/>
/// when it answers garbage, <see cref="HttpRequestException"/> when it cannot be reached.
/// </remarks>
internal sealed class AcmeClient : IDisposable
{
    private const string PemChainMediaType = "application/pem-certificate-chain";
    private static readonly byte[] EmptyObjectPayload = "{}"u8.ToArray();

    private readonly AcmeTransport _transport;
    private readonly TimeProvider _time;
    private readonly ILogger<AcmeClient> _logger;
    private readonly AcmePoller _poller;
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

        _transport = new AcmeTransport(http, directoryUrl, time, logger, options.MaxBadNonceRetries, options.UserAgent);
        _accountKey = accountKey;
        _time = time;
        _logger = logger;
        _poller = new AcmePoller(time, options, logger);
    }

    public Uri DirectoryUrl => _transport.DirectoryUrl;

    /// <summary>The key requests are signed with; replaced by <see cref="ChangeKeyAsync"/>.</summary>
    public AccountKey AccountKey => Volatile.Read(ref _accountKey);

    /// <summary>The account URL ("kid", RFC 8555 6.2). Set by create/find, or from saved state before other calls.</summary>
    public Uri? AccountUrl { get; set; }

    /// <summary>The directory (RFC 8555 7.1.1), fetched once and cached; a failed fetch is not cached.</summary>
    public Task<AcmeDirectory> GetDirectoryAsync(CancellationToken ct) => _transport.GetDirectoryAsync(ct);

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
        var response = await _transport.PostAsync(directory.NewAccount, Serialize(request, AcmeJsonContext.Default.NewAccountRequest), key, kid: null, accept: null, ct);
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
            response = await _transport.PostAsync(directory.NewAccount, Serialize(request, AcmeJsonContext.Default.NewAccountRequest), AccountKey, kid: null, accept: null, ct);
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
        var response = await _transport.PostAsync(accountUrl, Serialize(new AccountUpdateRequest(contact), AcmeJsonContext.Default.AccountUpdateRequest), AccountKey, Kid(), accept: null, ct);
        var account = response.ParseJson(AcmeJsonContext.Default.AcmeAccount) with { Url = accountUrl };
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
        await _transport.PostAsync(keyChangeUrl, Serialize(inner, AcmeJsonContext.Default.JwsMessage), oldKey, Kid(), accept: null, ct);
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
        var response = await _transport.PostAsync(directory.NewOrder, Serialize(request, AcmeJsonContext.Default.NewOrderRequest), AccountKey, Kid(), accept: null, ct);
        var order = response.ParseJson(AcmeJsonContext.Default.AcmeOrder) with { Url = response.RequireLocation() };
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
        var response = await _transport.PostAsync(challengeUrl, EmptyObjectPayload, AccountKey, Kid(), accept: null, ct);
        return response.ParseJson(AcmeJsonContext.Default.AcmeChallenge);
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
        var authorization = await _poller.PollWhilePendingAsync(
            authorizationUrl, c => FetchAsync(authorizationUrl, AcmeJsonContext.Default.AcmeAuthorization, c), static a => a.Status, timeout, ct) with { Url = authorizationUrl };
        if (authorization.Status == AcmeStatus.Valid)
        {
            return authorization;
        }

        var failed = authorization.Challenges.FirstOrDefault(static c => c.Error is not null)
            ?? authorization.Challenges.FirstOrDefault(static c => c.Status == AcmeStatus.Invalid);
        var exception = new AcmeValidationException(authorization, failed);
        AcmeLog.ValidationFailed(_logger, authorization.Identifier.ToString(), exception.Message);
        throw exception;
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
        var response = await _transport.PostAsync(order.Finalize, Serialize(request, AcmeJsonContext.Default.FinalizeRequest), AccountKey, Kid(), accept: null, ct);
        var finalized = response.ParseJson(AcmeJsonContext.Default.AcmeOrder) with { Url = order.Url };
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
        var order = await _poller.PollWhilePendingAsync(
            orderUrl, c => FetchAsync(orderUrl, AcmeJsonContext.Default.AcmeOrder, c), static o => o.Status, timeout, ct) with { Url = orderUrl };
        return order.Status == AcmeStatus.Invalid ? throw new AcmeOrderFailedException(order) : order;
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
        foreach (var alternate in response.ParseLinks("alternate"))
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
        var response = await _transport.GetAsync(url, ct);
        var body = response.ParseJson(AcmeJsonContext.Default.RenewalInfoResponse);
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
        await _transport.PostAsync(revokeUrl, Serialize(request, AcmeJsonContext.Default.RevocationRequest), AccountKey, Kid(), accept: null, ct);
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

    public void Dispose() => _transport.Dispose();

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
        var response = await _transport.PostAsync(url, [], AccountKey, Kid(), accept: null, ct);
        return (response.ParseJson(typeInfo), response.RetryAfter(_time.GetUtcNow()));
    }

    private async Task<(AcmeCertificateChain Chain, AcmeHttpResponse Response)> DownloadChainAsync(Uri url, CancellationToken ct)
    {
        var response = await _transport.PostAsync(url, [], AccountKey, Kid(), accept: PemChainMediaType, ct);
        if (response.MediaType is not (PemChainMediaType or "application/x-pem-file"))
        {
            throw new AcmeProtocolException(url, $"expected {PemChainMediaType}, got {response.MediaType ?? "no Content-Type"}: {AcmeResponseParsing.Snippet(response.Body)}");
        }

        return (new AcmeCertificateChain(url, Encoding.UTF8.GetString(response.Body)), response);
    }

    private static byte[] Serialize<T>(T value, JsonTypeInfo<T> typeInfo) => JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);

    // RFC 8555 6.2: every request but newAccount names the account by its URL ("kid").
    private string Kid() => RequireAccountUrl().AbsoluteUri;

    private Uri RequireAccountUrl() =>
        AccountUrl ?? throw new InvalidOperationException("no ACME account URL: call CreateAccountAsync or FindAccountAsync first, or set AccountUrl from saved state");

    private AcmeAccount ReadAccount(AcmeHttpResponse response)
    {
        var url = response.RequireLocation();
        var account = response.Body.Length == 0
            ? new AcmeAccount { Status = AcmeStatus.Unknown }
            : response.ParseJson(AcmeJsonContext.Default.AcmeAccount);
        return account with { Url = url };
    }
}
