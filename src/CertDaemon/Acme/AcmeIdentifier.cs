using System.Text.Json.Serialization;

namespace CertDaemon.Acme;

/// <summary>An identifier object (RFC 8555 7.1.3/7.1.4). CertDaemon only orders "dns" identifiers (RFC 8555 9.7.7).</summary>
internal sealed record AcmeIdentifier(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("value")] string Value)
{
    public const string DnsType = "dns";

    public static AcmeIdentifier Dns(string name) => new(DnsType, name);

    public override string ToString() => $"{Type}:{Value}";
}
