namespace CertDaemon.Issuance;

/// <summary>What <c>account.json</c> holds: the account URL (the JWS <c>kid</c>) and the contact registered.</summary>
/// <param name="KeyThumbprint">RFC 7638 thumbprint of the key the account was registered with; a file whose
/// thumbprint differs from <c>private_key.pem</c>'s belongs to another key and is never used with this one. Null in
/// files written before it was recorded (checked once with the CA, then recorded).</param>
internal sealed record SavedAccount(Uri Url, string[] Contact, Uri DirectoryUrl, string? KeyThumbprint = null);
