using System.Text.Json.Serialization;

namespace CertDaemon.Acme;

/// <summary>An authorization object (RFC 8555 7.1.4). For a wildcard the identifier has no "*." and <see cref="Wildcard"/> is true.</summary>
internal sealed record AcmeAuthorization
{
    /// <summary>Not part of the JSON: the URL the authorization was fetched from.</summary>
    [JsonIgnore]
    public Uri Url { get; init; } = null!;

    [JsonPropertyName("identifier")]
    public required AcmeIdentifier Identifier { get; init; }

    [JsonPropertyName("status")]
    public required AcmeStatus Status { get; init; }

    [JsonPropertyName("expires")]
    public DateTimeOffset? Expires { get; init; }

    [JsonPropertyName("challenges")]
    public IReadOnlyList<AcmeChallenge> Challenges { get; init => field = value ?? []; } = [];

    [JsonPropertyName("wildcard")]
    public bool Wildcard { get; init; }

    /// <summary>The first challenge of <paramref name="type"/> (such as <see cref="AcmeChallenge.Dns01"/>), or null when the CA offers none.</summary>
    public AcmeChallenge? FindChallenge(string type) =>
        Challenges.FirstOrDefault(c => string.Equals(c.Type, type, StringComparison.Ordinal));
}
