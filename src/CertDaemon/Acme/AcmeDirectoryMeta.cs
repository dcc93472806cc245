using System.Text.Json.Serialization;

namespace CertDaemon.Acme;

/// <summary>The directory "meta" object (RFC 8555 7.1.1), with the "profiles" map Let's Encrypt advertises.</summary>
internal sealed record AcmeDirectoryMeta
{
    [JsonPropertyName("termsOfService")]
    public Uri? TermsOfService { get; init; }

    [JsonPropertyName("website")]
    public Uri? Website { get; init; }

    [JsonPropertyName("caaIdentities")]
    public IReadOnlyList<string> CaaIdentities { get; init => field = value ?? []; } = [];

    [JsonPropertyName("externalAccountRequired")]
    public bool ExternalAccountRequired { get; init; }

    /// <summary>Profile name to human description (draft-aaron-acme-profiles); empty when the CA offers none.</summary>
    [JsonPropertyName("profiles")]
    public IReadOnlyDictionary<string, string> Profiles { get; init => field = value ?? new Dictionary<string, string>(); } = new Dictionary<string, string>();
}
