namespace CertDaemon.Issuance;

/// <summary>What <c>account.json</c> holds: the account URL (the JWS <c>kid</c>) and the contact registered.</summary>
internal sealed record SavedAccount(Uri Url, string[] Contact, Uri DirectoryUrl);
