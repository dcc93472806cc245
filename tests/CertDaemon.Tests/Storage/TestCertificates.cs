using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertDaemon.Storage;

namespace CertDaemon.Tests.Storage;

/// <summary>
/// Quick EC P-256 certificate sets signed by a throw-away CA. Also compiled into the crash harness, so it must not
/// depend on xunit. Validity dates are fixed: the store does not judge expiry, and the static clock is banned.
/// </summary>
internal sealed class TestCertificates : IDisposable
{
    private static readonly DateTimeOffset _notBefore = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly ECDsa _caKey;
    private readonly X509Certificate2 _ca;

    public TestCertificates(string caName = "CertDaemon Test CA")
    {
        _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={caName}", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        _ca = request.CreateSelfSigned(_notBefore, _notBefore.AddYears(10));
    }

    public string CaPem => _ca.ExportCertificatePem();

    public CertificateMaterial Issue(string domain = "example.com", int days = 90) => Issue([domain], _notBefore, days);

    /// <summary>A leaf for <paramref name="domains"/> (the first is the subject), valid from <paramref name="notBefore"/> for <paramref name="days"/>.</summary>
    public CertificateMaterial Issue(IReadOnlyList<string> domains, DateTimeOffset notBefore, int days = 90)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={domains[0]}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var domain in domains)
        {
            san.AddDnsName(domain);
        }

        request.CertificateExtensions.Add(san.Build());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var leaf = request.Create(_ca, notBefore, notBefore.AddDays(days), serial);
        return new CertificateMaterial(leaf.ExportCertificatePem(), CaPem, key.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose()
    {
        _ca.Dispose();
        _caKey.Dispose();
    }
}
