using System.Text.Json.Serialization;

namespace CertDaemon.Acme;

/// <summary>The suggestedWindow object of RFC 9773 4.2 (RFC 3339 timestamps).</summary>
internal sealed record RenewalInfoWindow(
    [property: JsonPropertyName("start")] DateTimeOffset Start,
    [property: JsonPropertyName("end")] DateTimeOffset End);
