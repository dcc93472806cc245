namespace CertDaemon.Storage;

/// <summary>What the store learned about a certificate set while checking it.</summary>
internal sealed record VerifiedCertificate(string Serial, DateTimeOffset NotBefore, DateTimeOffset NotAfter);
