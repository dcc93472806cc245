namespace CertDaemon.Dns;

/// <summary>
/// One DNS-01 answer: the TXT value the CA will look for at <see cref="RecordName"/>.
/// </summary>
/// <param name="Identifier">The ACME identifier being proven, e.g. <c>example.com</c> or <c>*.example.com</c>.</param>
/// <param name="RecordName">Fully qualified name without trailing dot, e.g. <c>_acme-challenge.example.com</c>
/// (RFC 8555 8.4: the wildcard label is dropped, so apex and wildcard share one name).</param>
/// <param name="Value">The TXT value: base64url(SHA-256(key authorization)), 43 characters.</param>
internal sealed record DnsChallengeRecord(string Identifier, string RecordName, string Value);
