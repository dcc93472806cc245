namespace CertDaemon.Storage;

/// <summary>One stored version of a certificate.</summary>
/// <param name="Version">N in <c>archive/NAME/certN.pem</c>.</param>
/// <param name="Serial">Serial number, hex upper case.</param>
/// <param name="NotAfter">Expiry.</param>
/// <param name="IssuedAt">When CertDaemon stored it.</param>
internal sealed record CertificateHistoryEntry(int Version, string Serial, DateTimeOffset NotAfter, DateTimeOffset IssuedAt);
