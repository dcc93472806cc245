using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CertDaemon.Acme;
using CertDaemon.Testbed.Pebble;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;

namespace CertDaemon.Testbed.Acme;

/// <summary>
/// A thin HTTPS reverse proxy in front of pebble 2.4.0 that adds what pebble lacks: ARI (RFC 9773: the directory's
/// <c>renewalInfo</c>, <c>GET renewal-info/{certId}</c>, the <c>alreadyReplaced</c> error) and profiles
/// (the directory's <c>meta.profiles</c>, the <c>invalidProfile</c> error). Everything else is forwarded unchanged.
/// </summary>
/// <remarks>
/// <para>
/// The Host header is forwarded as the client sent it. pebble builds every URL of its answers from the request's Host
/// and checks a JWS's <c>url</c> against <c>https://{Host}{path}</c>, so its answers point at the proxy and the
/// client's signatures stay valid without rewriting anything (checked against pebble 2.4.0).
/// </para>
/// <para>
/// newOrder JWS payloads are decoded without verifying the signature (the proxy has no account keys). pebble
/// 2.4.0 ignores the unknown <c>profile</c> and <c>replaces</c> fields, so forwarded orders carrying them succeed.
/// Synthetic errors (alreadyReplaced, invalidProfile) carry a fresh <c>Replay-Nonce</c> taken from pebble; the nonce of
/// the rejected request is left unused.
/// </para>
/// <para>All members are safe to call while requests are in flight.</para>
/// </remarks>
public sealed class AcmeExtensionsProxy : IAsyncDisposable
{
    /// <summary>The path of the ARI endpoint the directory advertises as <c>renewalInfo</c>.</summary>
    public const string RenewalInfoPath = "/renewal-info";

    /// <summary>The default <c>Retry-After</c> of renewal-info answers: 6 hours, what Let's Encrypt answers.</summary>
    public static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromHours(6);

    // Connection-level headers (RFC 9110 7.6.1); Host is set explicitly and Content-Length recomputed.
    private static readonly HashSet<string> _notForwardedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade", "TE", "Trailer", "Host", "Content-Length",
    };

    private readonly Lock _gate = new();
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly Uri _pebbleBase;
    private readonly string _directoryPath;
    private readonly string _newOrderPath;
    private readonly Uri _newNonceUrl;
    private readonly TimeProvider _time;
    private readonly List<RecordedOrder> _orders = [];
    private readonly List<RenewalInfoRequest> _renewalInfoRequests = [];
    private readonly Dictionary<string, RenewalWindow> _windows = new(StringComparer.Ordinal);
    private readonly HashSet<string> _alreadyReplaced = new(StringComparer.Ordinal);
    private readonly HashSet<string> _rejectedProfiles = new(StringComparer.Ordinal);
    private RenewalWindow? _defaultWindow;
    private TimeSpan? _rateLimitedRetryAfter;
    private bool _alreadyReplacedForAll;
    private bool _enableRenewalInfo = true;
    private bool _rejectUnlistedProfiles;
    private IReadOnlyDictionary<string, string> _profiles = new Dictionary<string, string>();

    private AcmeExtensionsProxy(PebbleServer pebble, HttpClient upstream, string newOrderPath, Uri newNonceUrl, TimeProvider time)
    {
        _upstream = upstream;
        _pebbleBase = new Uri(pebble.DirectoryUrl.GetLeftPart(UriPartial.Authority));
        _directoryPath = pebble.DirectoryUrl.AbsolutePath;
        _newOrderPath = newOrderPath;
        _newNonceUrl = newNonceUrl;
        _time = time;

        var leaf = pebble.TlsAuthority.Leaf;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(leaf));
        });
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    /// <summary>The ACME directory through the proxy, <c>https://127.0.0.1:P/dir</c>: give this to the ACME client.</summary>
    public Uri DirectoryUrl { get; private set; } = null!;

    /// <summary>The ARI base URL the directory advertises, <c>https://127.0.0.1:P/renewal-info</c>.</summary>
    public Uri RenewalInfoUrl { get; private set; } = null!;

    /// <summary>
    /// Whether the directory advertises <c>renewalInfo</c> and the renewal-info endpoint answers (404 otherwise).
    /// The default value is <see langword="true"/>.
    /// </summary>
    public bool EnableRenewalInfo
    {
        get { lock (_gate) { return _enableRenewalInfo; } }
        set { lock (_gate) { _enableRenewalInfo = value; } }
    }

    /// <summary>
    /// The directory's <c>meta.profiles</c> (name -> human-readable description). Empty (the default) means the
    /// directory has no <c>profiles</c> member.
    /// </summary>
    public IReadOnlyDictionary<string, string> Profiles
    {
        get { lock (_gate) { return _profiles; } }
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            var copy = new Dictionary<string, string>(value, StringComparer.Ordinal);
            lock (_gate)
            {
                _profiles = copy;
            }
        }
    }

    /// <summary>
    /// When <see langword="true"/>, an order naming a profile that is not in <see cref="Profiles"/> is answered
    /// <c>invalidProfile</c>, as a CA that supports profiles would. The default value is <see langword="false"/>
    /// (pebble ignores the name).
    /// </summary>
    public bool RejectUnlistedProfiles
    {
        get { lock (_gate) { return _rejectUnlistedProfiles; } }
        set { lock (_gate) { _rejectUnlistedProfiles = value; } }
    }

    /// <summary>Every newOrder POST so far, oldest first (a snapshot).</summary>
    public IReadOnlyList<RecordedOrder> Orders
    {
        get { lock (_gate) { return [.. _orders]; } }
    }

    /// <summary>Every renewal-info GET so far, oldest first (a snapshot), including those answered 404.</summary>
    public IReadOnlyList<RenewalInfoRequest> RenewalInfoRequests
    {
        get { lock (_gate) { return [.. _renewalInfoRequests]; } }
    }

    /// <summary>
    /// Starts the proxy on a free 127.0.0.1 port with the TLS leaf of <paramref name="pebble"/>'s throwaway CA, so
    /// <see cref="PebbleServer.CreateHttpClient"/> clients trust it. <paramref name="time"/> stamps the recordings
    /// (default: the system clock).
    /// </summary>
    public static async Task<AcmeExtensionsProxy> StartAsync(PebbleServer pebble, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pebble);
        var upstream = CreateUpstreamClient(pebble);
        try
        {
            using var directory = JsonDocument.Parse(await upstream.GetStringAsync(pebble.DirectoryUrl, cancellationToken));
            var newOrder = new Uri(directory.RootElement.GetProperty("newOrder").GetString()!);
            var newNonce = new Uri(directory.RootElement.GetProperty("newNonce").GetString()!);
            var proxy = new AcmeExtensionsProxy(pebble, upstream, newOrder.AbsolutePath, newNonce, time ?? TimeProvider.System);
            try
            {
                await proxy._app.StartAsync(cancellationToken);
                var address = proxy._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
                var port = new Uri(address).Port;
                proxy.DirectoryUrl = new Uri($"https://127.0.0.1:{port}{proxy._directoryPath}");
                proxy.RenewalInfoUrl = new Uri($"https://127.0.0.1:{port}{RenewalInfoPath}");
                return proxy;
            }
            catch
            {
                await proxy.DisposeAsync();
                throw;
            }
        }
        catch
        {
            upstream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sets the window answered for <paramref name="certId"/> (RFC 9773 CertID, <c>base64url(AKI).base64url(serial)</c>),
    /// or for every CertID without its own window when <paramref name="certId"/> is null. <paramref name="retryAfter"/>
    /// defaults to <see cref="DefaultRetryAfter"/>. Without a window for a CertID, renewal-info answers 404.
    /// </summary>
    public void SetRenewalWindow(string? certId, DateTimeOffset start, DateTimeOffset end, Uri? explanationUrl = null, TimeSpan? retryAfter = null)
    {
        var window = new RenewalWindow(start, end, explanationUrl, retryAfter ?? DefaultRetryAfter);
        lock (_gate)
        {
            if (certId is null)
            {
                _defaultWindow = window;
            }
            else
            {
                _windows[certId] = window;
            }
        }
    }

    /// <summary>Forgets every window, including the default one: renewal-info answers 404 again.</summary>
    public void ClearRenewalWindows()
    {
        lock (_gate)
        {
            _windows.Clear();
            _defaultWindow = null;
        }
    }

    /// <summary>
    /// From now on, a newOrder whose <c>replaces</c> equals <paramref name="replaces"/> (or, when null, any newOrder that
    /// carries <c>replaces</c>) is answered 409 <c>alreadyReplaced</c> (RFC 9773 5) without reaching pebble.
    /// Orders without <c>replaces</c> are always forwarded.
    /// </summary>
    public void ArmAlreadyReplaced(string? replaces = null)
    {
        lock (_gate)
        {
            if (replaces is null)
            {
                _alreadyReplacedForAll = true;
            }
            else
            {
                _alreadyReplaced.Add(replaces);
            }
        }
    }

    public void DisarmAlreadyReplaced()
    {
        lock (_gate)
        {
            _alreadyReplaced.Clear();
            _alreadyReplacedForAll = false;
        }
    }

    /// <summary>
    /// From now on, every newOrder is answered 429 <c>rateLimited</c> (RFC 8555 6.6) with <c>Retry-After</c> of
    /// <paramref name="retryAfter"/> (whole seconds) without reaching pebble, as a CA whose limit the account hit.
    /// </summary>
    public void ArmRateLimited(TimeSpan retryAfter)
    {
        lock (_gate)
        {
            _rateLimitedRetryAfter = retryAfter;
        }
    }

    public void DisarmRateLimited()
    {
        lock (_gate)
        {
            _rateLimitedRetryAfter = null;
        }
    }

    /// <summary>From now on, a newOrder naming <paramref name="profile"/> is answered 400 <c>invalidProfile</c> without reaching pebble.</summary>
    public void RejectProfile(string profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        lock (_gate)
        {
            _rejectedProfiles.Add(profile);
        }
    }

    private static HttpClient CreateUpstreamClient(PebbleServer pebble)
    {
        var handler = AcmeHttpHandlerFactory.Create([pebble.TlsRoot]);

        // A proxy passes answers through as they are: no redirects followed, no decompression, no cookies.
        handler.AllowAutoRedirect = false;
        handler.AutomaticDecompression = DecompressionMethods.None;
        handler.UseCookies = false;
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        if (HttpMethods.IsGet(request.Method) && path == _directoryPath)
        {
            await ServeDirectoryAsync(context);
        }
        else if (HttpMethods.IsGet(request.Method) && path.StartsWith(RenewalInfoPath + "/", StringComparison.Ordinal))
        {
            await ServeRenewalInfoAsync(context, Uri.UnescapeDataString(path[(RenewalInfoPath.Length + 1)..]));
        }
        else if (HttpMethods.IsPost(request.Method) && path == _newOrderPath)
        {
            await HandleNewOrderAsync(context);
        }
        else
        {
            using var response = await SendUpstreamAsync(context, await ReadBodyAsync(context));
            await CopyResponseAsync(response, context);
        }
    }

    private async Task ServeDirectoryAsync(HttpContext context)
    {
        using var response = await SendUpstreamAsync(context, []);
        if (!response.IsSuccessStatusCode)
        {
            await CopyResponseAsync(response, context);
            return;
        }

        var directory = JsonNode.Parse(await response.Content.ReadAsStringAsync(context.RequestAborted))!.AsObject();
        bool renewalInfo;
        IReadOnlyDictionary<string, string> profiles;
        lock (_gate)
        {
            renewalInfo = _enableRenewalInfo;
            profiles = _profiles;
        }

        if (renewalInfo)
        {
            directory["renewalInfo"] = $"https://{context.Request.Host}{RenewalInfoPath}";
        }

        if (profiles.Count > 0)
        {
            if (directory["meta"] is not JsonObject meta)
            {
                meta = [];
                directory["meta"] = meta;
            }

            meta["profiles"] = new JsonObject(profiles.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value))));
        }

        CopyStatusAndHeaders(response, context);
        await context.Response.WriteAsync(directory.ToJsonString(), context.RequestAborted);
    }

    // RFC 9773 4.2: 200 with suggestedWindow (+ explanationURL) and Retry-After; an unknown CertID is 404.
    private async Task ServeRenewalInfoAsync(HttpContext context, string certId)
    {
        RenewalWindow? window = null;
        lock (_gate)
        {
            if (_enableRenewalInfo && !_windows.TryGetValue(certId, out window))
            {
                window = _defaultWindow;
            }

            _renewalInfoRequests.Add(new RenewalInfoRequest(certId, _time.GetUtcNow(), window is null ? HttpStatusCode.NotFound : HttpStatusCode.OK));
        }

        if (window is null)
        {
            await WriteProblemAsync(context, HttpStatusCode.NotFound, "urn:ietf:params:acme:error:malformed", $"no renewal information for certificate {certId}", nonce: null);
            return;
        }

        var body = new JsonObject
        {
            ["suggestedWindow"] = new JsonObject { ["start"] = Rfc3339(window.Start), ["end"] = Rfc3339(window.End) },
        };
        if (window.ExplanationUrl is not null)
        {
            body["explanationURL"] = window.ExplanationUrl.AbsoluteUri;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.Headers.RetryAfter = ((long)window.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private async Task HandleNewOrderAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context);
        var (identifiers, profile, replaces) = DecodeNewOrder(body);
        (string Type, string Detail)? problem = null;
        TimeSpan? retryAfter;
        lock (_gate)
        {
            retryAfter = _rateLimitedRetryAfter;
            if (retryAfter is not null)
            {
                problem = ("urn:ietf:params:acme:error:rateLimited", "too many new orders recently (test proxy)");
            }
            else if (replaces is not null && (_alreadyReplacedForAll || _alreadyReplaced.Contains(replaces)))
            {
                problem = ("urn:ietf:params:acme:error:alreadyReplaced", $"certificate {replaces} has already been replaced");
            }
            else if (profile is not null && (_rejectedProfiles.Contains(profile) || (_rejectUnlistedProfiles && !_profiles.ContainsKey(profile))))
            {
                problem = ("urn:ietf:params:acme:error:invalidProfile", $"profile \"{profile}\" is not offered");
            }
        }

        if (problem is { } p)
        {
            var status = p.Type.EndsWith(":alreadyReplaced", StringComparison.Ordinal) ? HttpStatusCode.Conflict
                : retryAfter is not null ? HttpStatusCode.TooManyRequests
                : HttpStatusCode.BadRequest;
            var nonce = await FetchNonceAsync(context.RequestAborted);
            Record(status);
            if (retryAfter is { } wait)
            {
                context.Response.Headers.RetryAfter = ((long)wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            }

            await WriteProblemAsync(context, status, p.Type, p.Detail, nonce);
            return;
        }

        using var response = await SendUpstreamAsync(context, body);
        Record(response.StatusCode);
        await CopyResponseAsync(response, context);

        void Record(HttpStatusCode status)
        {
            lock (_gate)
            {
                _orders.Add(new RecordedOrder(identifiers, profile, replaces, _time.GetUtcNow(), status));
            }
        }
    }

    // RFC 8555 6.2 / 7.4: a flattened JWS whose base64url payload is the order object. Not verified.
    private static (IReadOnlyList<RecordedIdentifier> Identifiers, string? Profile, string? Replaces) DecodeNewOrder(byte[] body)
    {
        try
        {
            using var jws = JsonDocument.Parse(body);
            if (jws.RootElement.ValueKind != JsonValueKind.Object
                || !jws.RootElement.TryGetProperty("payload", out var encoded)
                || encoded.ValueKind != JsonValueKind.String)
            {
                return ([], null, null);
            }

            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(encoded.GetString()!));
            var root = payload.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return ([], null, null);
            }

            var identifiers = new List<RecordedIdentifier>();
            if (root.TryGetProperty("identifiers", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray())
                {
                    identifiers.Add(new RecordedIdentifier(StringOrEmpty(item, "type"), StringOrEmpty(item, "value")));
                }
            }

            return (identifiers, StringOrNull(root, "profile"), StringOrNull(root, "replaces"));
        }
        catch (Exception exception) when (exception is JsonException or FormatException)
        {
            // Not a JWS with a JSON payload: pebble will say what is wrong with it.
            return ([], null, null);
        }

        static string? StringOrNull(JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;

        static string StringOrEmpty(JsonElement element, string name) => StringOrNull(element, name) ?? "";
    }

    private async Task<string?> FetchNonceAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, _newNonceUrl);
        using var response = await _upstream.SendAsync(request, cancellationToken);
        return response.Headers.TryGetValues("Replay-Nonce", out var values) ? values.FirstOrDefault() : null;
    }

    private async Task<HttpResponseMessage> SendUpstreamAsync(HttpContext context, byte[] body)
    {
        var incoming = context.Request;
        using var request = new HttpRequestMessage(new HttpMethod(incoming.Method), new Uri(_pebbleBase, incoming.Path.Value + incoming.QueryString.Value));
        if (body.Length > 0 || HttpMethods.IsPost(incoming.Method) || HttpMethods.IsPut(incoming.Method))
        {
            request.Content = new ByteArrayContent(body);
        }

        foreach (var (name, values) in incoming.Headers)
        {
            if (_notForwardedHeaders.Contains(name) || name.StartsWith(':'))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        // pebble derives its URLs and the expected JWS "url" from Host: keep the client's.
        request.Headers.Host = incoming.Host.Value;
        return await _upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        return buffer.ToArray();
    }

    private static async Task CopyResponseAsync(HttpResponseMessage response, HttpContext context)
    {
        CopyStatusAndHeaders(response, context);
        if (response.Content.Headers.ContentLength is { } length)
        {
            context.Response.ContentLength = length;
        }

        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }

    private static void CopyStatusAndHeaders(HttpResponseMessage response, HttpContext context)
    {
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!_notForwardedHeaders.Contains(name))
            {
                context.Response.Headers[name] = new StringValues([.. values]);
            }
        }
    }

    private async Task WriteProblemAsync(HttpContext context, HttpStatusCode status, string type, string detail, string? nonce)
    {
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = "application/problem+json";
        if (nonce is not null)
        {
            context.Response.Headers["Replay-Nonce"] = nonce;
        }

        // RFC 8555 7.1: every response links to the directory.
        context.Response.Headers.Link = $"<https://{context.Request.Host}{_directoryPath}>;rel=\"index\"";
        var problem = new JsonObject { ["type"] = type, ["detail"] = detail, ["status"] = (int)status };
        await context.Response.WriteAsync(problem.ToJsonString(), context.RequestAborted);
    }

    private static string Rfc3339(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}
