using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace CertDaemon.Tests.Testbed;

/// <summary>
/// Just enough RFC 8555 6.2 JWS (ES256, flattened JSON serialization) to drive an ACME server by hand in testbed
/// tests, independent of the product's ACME client. Nonces: the last response's <c>Replay-Nonce</c>, else a fresh one.
/// </summary>
internal sealed class RawJwsAccount(HttpClient http, Uri newNonceUrl) : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>The account URL (the JWS <c>kid</c>) once registered; before that, requests carry the <c>jwk</c>.</summary>
    public Uri? AccountUrl { get; private set; }

    /// <summary>The nonce the next request uses; null means "fetch one from newNonce".</summary>
    public string? Nonce { get; set; }

    public async Task RegisterAsync(Uri newAccountUrl)
    {
        using var response = await PostAsync(newAccountUrl, new JsonObject { ["termsOfServiceAgreed"] = true });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        AccountUrl = response.Headers.Location;
    }

    public async Task<HttpResponseMessage> PostAsync(Uri url, JsonObject payload)
    {
        var nonce = Nonce ?? await FetchNonceAsync();
        Nonce = null;
        var header = new JsonObject { ["alg"] = "ES256", ["nonce"] = nonce, ["url"] = url.AbsoluteUri };
        if (AccountUrl is null)
        {
            var parameters = _key.ExportParameters(false);
            header["jwk"] = new JsonObject
            {
                ["crv"] = "P-256",
                ["kty"] = "EC",
                ["x"] = Base64Url.EncodeToString(parameters.Q.X),
                ["y"] = Base64Url.EncodeToString(parameters.Q.Y),
            };
        }
        else
        {
            header["kid"] = AccountUrl.AbsoluteUri;
        }

        var protectedPart = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString()));
        var payloadPart = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(protectedPart + "." + payloadPart), HashAlgorithmName.SHA256);
        var response = await PostJwsAsync(http, url, protectedPart, payloadPart, Base64Url.EncodeToString(signature));
        if (response.Headers.TryGetValues("Replay-Nonce", out var nonces))
        {
            Nonce = nonces.First();
        }

        return response;
    }

    /// <summary>Posts a flattened JWS made of the given parts as <c>application/jose+json</c>.</summary>
    public static async Task<HttpResponseMessage> PostJwsAsync(HttpClient http, Uri url, string protectedPart, string payloadPart, string signaturePart)
    {
        var body = new JsonObject { ["protected"] = protectedPart, ["payload"] = payloadPart, ["signature"] = signaturePart };
        using var content = new StringContent(body.ToJsonString());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/jose+json");
        return await http.PostAsync(url, content);
    }

    private async Task<string> FetchNonceAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, newNonceUrl);
        using var response = await http.SendAsync(request);
        return response.Headers.GetValues("Replay-Nonce").First();
    }

    public void Dispose() => _key.Dispose();
}
