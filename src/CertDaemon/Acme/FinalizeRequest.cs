using System.Text.Json.Serialization;

namespace CertDaemon.Acme;

/// <summary>The finalize payload (RFC 8555 7.4): the CSR's DER, base64url.</summary>
internal sealed record FinalizeRequest([property: JsonPropertyName("csr")] string Csr);
