using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertDaemon.Tests.Fleet;

/// <summary>What an instance's <c>live/site</c> holds, read independently of CertDaemon.</summary>
internal static class FleetLiveFiles
{
    public static string Serial(FleetTestInstance instance)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(instance.LiveDirectory, "cert.pem")));
        return certificate.SerialNumber.ToLowerInvariant();
    }

    /// <summary>The live key belongs to the live certificate (what nginx would load together).</summary>
    public static void AssertPairMatches(FleetTestInstance instance)
    {
        using var certificate = X509Certificate2.CreateFromPemFile(Path.Combine(instance.LiveDirectory, "fullchain.pem"), Path.Combine(instance.LiveDirectory, "privkey.pem"));
        Assert.True(certificate.HasPrivateKey);
        using var key = certificate.GetECDsaPrivateKey() ?? (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey();
        Assert.NotNull(key);
    }
}
