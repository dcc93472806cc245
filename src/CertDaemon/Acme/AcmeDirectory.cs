using System.Text.Json.Serialization;

namespace CertDaemon.Acme;

/// <summary>The directory object (RFC 8555 7.1.1), with RFC 9773 3's renewalInfo. Endpoint paths differ per CA: never guess them.</summary>
internal sealed record AcmeDirectory
{
    [JsonPropertyName("newNonce")]
    public required Uri NewNonce { get; init; }

    [JsonPropertyName("newAccount")]
    public required Uri NewAccount { get; init; }

    [JsonPropertyName("newOrder")]
    public required Uri NewOrder { get; init; }

    /// <summary>RFC 8555 7.4.1 pre-authorization; optional and unused by CertDaemon.</summary>
    [JsonPropertyName("newAuthz")]
    public Uri? NewAuthz { get; init; }

    [JsonPropertyName("revokeCert")]
    public Uri? RevokeCert { get; init; }

    [JsonPropertyName("keyChange")]
    public Uri? KeyChange { get; init; }

    /// <summary>RFC 9773 3: the ARI base URL; null when the CA offers no renewal information.</summary>
    [JsonPropertyName("renewalInfo")]
    public Uri? RenewalInfo { get; init; }

    [JsonPropertyName("meta")]
    public AcmeDirectoryMeta Meta { get; init => field = value ?? new(); } = new();
}
