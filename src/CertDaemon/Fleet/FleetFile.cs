namespace CertDaemon.Fleet;

/// <summary>One file of a fleet version: its object key (relative to the prefix) and the SHA-256 (lower-case hex) of its bytes.</summary>
internal sealed record FleetFile(string Key, string Sha256);
