using System.Text.Json.Serialization;

namespace CertDaemon.Acme;

/// <summary>The revokeCert payload (RFC 8555 7.6): the certificate's DER, base64url, and an optional RFC 5280 reason code.</summary>
internal sealed record RevocationRequest
{
    [JsonPropertyName("certificate")]
    public required string Certificate { get; init; }

    [JsonPropertyName("reason")]
    public int? Reason { get; init; }
}
