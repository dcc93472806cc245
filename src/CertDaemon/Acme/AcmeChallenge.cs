using System.Text.Json.Serialization;

namespace CertDaemon.Acme;

/// <summary>A challenge object (RFC 8555 7.1.5, 8). The token is present for dns-01 (RFC 8555 8.4).</summary>
internal sealed record AcmeChallenge
{
    public const string Dns01 = "dns-01";

    [JsonPropertyName("url")]
    public required Uri Url { get; init; }

    [JsonPropertyName("type")]
    public required string Type { get; init; }

    [JsonPropertyName("status")]
    public required AcmeStatus Status { get; init; }

    [JsonPropertyName("token")]
    public string? Token { get; init; }

    [JsonPropertyName("validated")]
    public DateTimeOffset? Validated { get; init; }

    [JsonPropertyName("error")]
    public AcmeProblem? Error { get; init; }
}
