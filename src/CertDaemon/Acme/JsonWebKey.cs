using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace CertDaemon.Acme;

/// <summary>
/// A public JSON Web Key (RFC 7517) with only the members RFC 7518 6.2.1 (EC: crv, x, y) and 6.3.1 (RSA: n, e)
/// require, base64url without padding. Those are exactly the members RFC 7638 hashes for the thumbprint.
/// </summary>
internal sealed record JsonWebKey
{
    [JsonPropertyName("kty")]
    public required string Kty { get; init; }

    [JsonPropertyName("crv")]
    public string? Crv { get; init; }

    [JsonPropertyName("x")]
    public string? X { get; init; }

    [JsonPropertyName("y")]
    public string? Y { get; init; }

    [JsonPropertyName("n")]
    public string? N { get; init; }

    [JsonPropertyName("e")]
    public string? E { get; init; }

    public static JsonWebKey ForEc(string curve, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y) =>
        new() { Kty = "EC", Crv = curve, X = Base64Url.EncodeToString(x), Y = Base64Url.EncodeToString(y) };

    public static JsonWebKey ForRsa(ReadOnlySpan<byte> modulus, ReadOnlySpan<byte> exponent) =>
        new() { Kty = "RSA", N = Base64Url.EncodeToString(TrimLeadingZeros(modulus)), E = Base64Url.EncodeToString(TrimLeadingZeros(exponent)) };

    /// <summary>
    /// RFC 7638 3: SHA-256 over the required members in lexicographic order, no whitespace, base64url.
    /// Built by hand rather than by a serializer so member order and escaping can never drift.
    /// </summary>
    public string ComputeThumbprint()
    {
        var canonical = Kty switch
        {
            "EC" => $$"""{"crv":"{{Crv}}","kty":"EC","x":"{{X}}","y":"{{Y}}"}""",
            "RSA" => $$"""{"e":"{{E}}","kty":"RSA","n":"{{N}}"}""",
            _ => throw new NotSupportedException($"JWK thumbprint for key type '{Kty}' is not supported"),
        };
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    // RFC 7518 6.3.1: n and e are unsigned big-endian integers in their minimal octet form.
    private static ReadOnlySpan<byte> TrimLeadingZeros(ReadOnlySpan<byte> value)
    {
        var start = 0;
        while (start < value.Length - 1 && value[start] == 0)
        {
            start++;
        }

        return value[start..];
    }
}
