using System.Text.Json.Serialization;

namespace CertDaemon.Acme;

/// <summary>The inner key-change payload (RFC 8555 7.3.5): the account URL and the old key, signed by the new key.</summary>
internal sealed record KeyChangeRequest(
    [property: JsonPropertyName("account")] string Account,
    [property: JsonPropertyName("oldKey")] JsonWebKey OldKey);
