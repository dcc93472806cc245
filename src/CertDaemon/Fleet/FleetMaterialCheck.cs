using System.Security.Cryptography.X509Certificates;
using CertDaemon.Storage;

namespace CertDaemon.Fleet;

/// <summary>
/// What a downloaded version must be before it is installed: a consistent set (key matches certificate, chain starts
/// at the issuer, see <see cref="CertificateMaterialVerifier"/>) that is exactly the certificate the manifest
/// describes (serial, names, lifetime). A mismatch is a <see cref="FleetStoreException"/>: nothing is installed.
/// </summary>
internal static class FleetMaterialCheck
{
    public static void Verify(FleetManifest manifest, CertificateMaterial material)
    {
        VerifiedCertificate verified;
        try
        {
            verified = CertificateMaterialVerifier.Verify(manifest.Name, material);
        }
        catch (CertificateMaterialException e)
        {
            throw new FleetStoreException($"Version {manifest.Version} of '{manifest.Name}' in the fleet store is not a consistent set: {e.Message} Not installed.", e);
        }

        if (!string.Equals(verified.Serial, manifest.Serial, StringComparison.OrdinalIgnoreCase))
        {
            throw new FleetStoreException($"Version {manifest.Version} of '{manifest.Name}': the certificate's serial is {verified.Serial}, the manifest says {manifest.Serial}. Not installed.");
        }

        using var leaf = X509Certificate2.CreateFromPem(material.CertificatePem);
        var names = SubjectAlternativeDnsNames(leaf);
        if (!names.SetEquals(manifest.Domains.Select(d => d.ToLowerInvariant())))
        {
            throw new FleetStoreException(
                $"Version {manifest.Version} of '{manifest.Name}': the certificate names {string.Join(", ", names.Order(StringComparer.Ordinal))}, the manifest says {string.Join(", ", manifest.Domains)}. Not installed.");
        }

        if (verified.NotAfter != manifest.NotAfter)
        {
            throw new FleetStoreException($"Version {manifest.Version} of '{manifest.Name}': the certificate expires {verified.NotAfter:O}, the manifest says {manifest.NotAfter:O}. Not installed.");
        }
    }

    private static HashSet<string> SubjectAlternativeDnsNames(X509Certificate2 certificate)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var extension in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            foreach (var name in extension.EnumerateDnsNames())
            {
                names.Add(name.ToLowerInvariant());
            }
        }

        return names;
    }
}
