using System.Text.Json.Serialization;

namespace CertDaemon.Acme;

/// <summary>The account update payload (RFC 8555 7.3.2): only the fields to change.</summary>
internal sealed record AccountUpdateRequest([property: JsonPropertyName("contact")] IReadOnlyList<string> Contact);
