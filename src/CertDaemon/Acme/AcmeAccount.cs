using System.Text.Json.Serialization;

namespace CertDaemon.Acme;

/// <summary>An account object (RFC 8555 7.1.2). <see cref="Url"/> is the account URL ("kid") from the Location header.</summary>
internal sealed record AcmeAccount
{
    /// <summary>Not part of the JSON: set from the Location header (RFC 8555 7.3).</summary>
    [JsonIgnore]
    public Uri Url { get; init; } = null!;

    [JsonPropertyName("status")]
    public AcmeStatus Status { get; init; }

    [JsonPropertyName("contact")]
    public IReadOnlyList<string> Contact { get; init => field = value ?? []; } = [];

    [JsonPropertyName("termsOfServiceAgreed")]
    public bool? TermsOfServiceAgreed { get; init; }

    [JsonPropertyName("orders")]
    public Uri? Orders { get; init; }
}
