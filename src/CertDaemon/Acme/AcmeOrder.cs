using System.Text.Json.Serialization;

namespace CertDaemon.Acme;

/// <summary>An order object (RFC 8555 7.1.3), with RFC 9773 5's "replaces" and the profiles extension's "profile".</summary>
internal sealed record AcmeOrder
{
    /// <summary>Not part of the JSON: the Location of newOrder (RFC 8555 7.4) or the URL it was fetched from.</summary>
    [JsonIgnore]
    public Uri Url { get; init; } = null!;

    [JsonPropertyName("status")]
    public required AcmeStatus Status { get; init; }

    [JsonPropertyName("expires")]
    public DateTimeOffset? Expires { get; init; }

    [JsonPropertyName("identifiers")]
    public required IReadOnlyList<AcmeIdentifier> Identifiers { get; init; }

    [JsonPropertyName("notBefore")]
    public DateTimeOffset? NotBefore { get; init; }

    [JsonPropertyName("notAfter")]
    public DateTimeOffset? NotAfter { get; init; }

    [JsonPropertyName("error")]
    public AcmeProblem? Error { get; init; }

    [JsonPropertyName("authorizations")]
    public IReadOnlyList<Uri> Authorizations { get; init => field = value ?? []; } = [];

    [JsonPropertyName("finalize")]
    public required Uri Finalize { get; init; }

    /// <summary>Present once the order is valid (RFC 8555 7.4.2).</summary>
    [JsonPropertyName("certificate")]
    public Uri? Certificate { get; init; }

    [JsonPropertyName("profile")]
    public string? Profile { get; init; }

    [JsonPropertyName("replaces")]
    public string? Replaces { get; init; }
}
