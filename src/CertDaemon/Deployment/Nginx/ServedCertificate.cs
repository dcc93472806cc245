namespace CertDaemon.Deployment.Nginx;

/// <summary>The leaf a TLS server presented in a handshake (read only; it was not validated).</summary>
/// <param name="Serial">Lower-case hex, spelled like <see cref="System.Security.Cryptography.X509Certificates.X509Certificate2.SerialNumber"/>.</param>
/// <param name="Names">The DNS names of its subject alternative names (the subject CN when it has none).</param>
internal sealed record ServedCertificate(string Serial, IReadOnlyList<string> Names, string Subject, DateTimeOffset NotAfter)
{
    /// <summary>Whether this is the certificate with <paramref name="serial"/> (hex, any case).</summary>
    public bool HasSerial(string serial) => string.Equals(Serial, serial, StringComparison.OrdinalIgnoreCase);
}
