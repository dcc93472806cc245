using System.Text.Json.Serialization;

namespace CertDaemon.Acme;

/// <summary>The newOrder payload (RFC 8555 7.4), with "profile" and RFC 9773 5's "replaces".</summary>
internal sealed record NewOrderRequest
{
    [JsonPropertyName("identifiers")]
    public required IReadOnlyList<AcmeIdentifier> Identifiers { get; init; }

    [JsonPropertyName("notBefore")]
    public DateTimeOffset? NotBefore { get; init; }

    [JsonPropertyName("notAfter")]
    public DateTimeOffset? NotAfter { get; init; }

    [JsonPropertyName("profile")]
    public string? Profile { get; init; }

    [JsonPropertyName("replaces")]
    public string? Replaces { get; init; }
}
