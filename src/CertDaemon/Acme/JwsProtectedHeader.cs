using System.Text.Json.Serialization;

namespace CertDaemon.Acme;

/// <summary>
/// The JWS protected header (RFC 8555 6.2): alg, url, nonce, and exactly one of jwk (newAccount, revocation by
/// certificate key, the inner key-change JWS) or kid (every other request). The EAB and key-change inner JWS have no nonce.
/// </summary>
internal sealed record JwsProtectedHeader
{
    [JsonPropertyName("alg")]
    public required string Alg { get; init; }

    [JsonPropertyName("jwk")]
    public JsonWebKey? Jwk { get; init; }

    [JsonPropertyName("kid")]
    public string? Kid { get; init; }

    [JsonPropertyName("nonce")]
    public string? Nonce { get; init; }

    [JsonPropertyName("url")]
    public required string Url { get; init; }
}
