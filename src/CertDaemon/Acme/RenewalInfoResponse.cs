using System.Text.Json.Serialization;

namespace CertDaemon.Acme;

/// <summary>The renewalInfo body (RFC 9773 4.2) as it comes off the wire; <see cref="AriRenewalInfo"/> is the checked form.</summary>
internal sealed record RenewalInfoResponse
{
    [JsonPropertyName("suggestedWindow")]
    public required RenewalInfoWindow SuggestedWindow { get; init; }

    [JsonPropertyName("explanationURL")]
    public Uri? ExplanationUrl { get; init; }
}
