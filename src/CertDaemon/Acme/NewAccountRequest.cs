using System.Text.Json.Serialization;

namespace CertDaemon.Acme;

/// <summary>The newAccount payload (RFC 8555 7.3); also the onlyReturnExisting lookup (7.3.1).</summary>
internal sealed record NewAccountRequest
{
    [JsonPropertyName("contact")]
    public IReadOnlyList<string>? Contact { get; init; }

    [JsonPropertyName("termsOfServiceAgreed")]
    public bool? TermsOfServiceAgreed { get; init; }

    [JsonPropertyName("onlyReturnExisting")]
    public bool? OnlyReturnExisting { get; init; }

    [JsonPropertyName("externalAccountBinding")]
    public JwsMessage? ExternalAccountBinding { get; init; }
}
