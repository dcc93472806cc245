using System.Security.Cryptography.X509Certificates;

namespace CertDaemon.Tests.Storage;

/// <summary>Independent checks of what a reader of the certificate directory sees (no store code involved).</summary>
public static class StoreLayout
{
    public static readonly string[] Parts = ["cert", "chain", "fullchain", "privkey"];

    /// <summary>
    /// Null when live/NAME/{cert,chain,fullchain,privkey}.pem all resolve, the key belongs to the certificate and
    /// fullchain is cert + chain; otherwise what is wrong.
    /// </summary>
    public static string? LiveSetProblem(string certificateDirectory, string name)
    {
        var live = Path.Combine(certificateDirectory, "live", name);
        var texts = new Dictionary<string, string>();
        foreach (var part in Parts)
        {
            var path = Path.Combine(live, part + ".pem");
            if (!File.Exists(path))
            {
                return $"{path} does not resolve";
            }

            texts[part] = File.ReadAllText(path);
        }

        if (texts["fullchain"] != texts["cert"] + texts["chain"])
        {
            return "fullchain.pem is not cert.pem + chain.pem";
        }

        try
        {
            // CreateFromPem pairs the key with the certificate and throws when they do not match.
            using var paired = X509Certificate2.CreateFromPem(texts["cert"], texts["privkey"]);
            return paired.HasPrivateKey ? null : "no private key paired";
        }
        catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            return $"key does not match certificate: {e.Message}";
        }
    }

    /// <summary>Serial of the live certificate, read through live/NAME/cert.pem.</summary>
    public static string LiveSerial(string certificateDirectory, string name)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(certificateDirectory, "live", name, "cert.pem")));
        return certificate.SerialNumber.ToLowerInvariant();
    }

    /// <summary>Every path under <paramref name="root"/> with its content (links as "-> target"), for before/after comparisons.</summary>
    public static SortedDictionary<string, string> Snapshot(string root)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        // Hidden entries included: leftovers are dot-files.
        var everything = new EnumerationOptions { RecurseSubdirectories = true };
        everything.AttributesToSkip &= FileAttributes.None;
        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", everything))
        {
            var relative = Path.GetRelativePath(root, entry.FullName);
            if (relative.EndsWith(".lock", StringComparison.Ordinal))
            {
                continue;
            }

            result[relative] = entry.LinkTarget is { } target ? "-> " + target
                : entry is FileInfo file ? File.ReadAllText(file.FullName)
                : "<dir>";
        }

        return result;
    }

    /// <summary>Store leftovers that recovery must have removed.</summary>
    public static IEnumerable<string> Leftovers(string certificateDirectory) =>
        Snapshot(certificateDirectory).Keys.Where(k =>
            k.Contains(".certdaemon-tmp-", StringComparison.Ordinal) || k.EndsWith(".partial", StringComparison.Ordinal)
            || k.EndsWith(".next", StringComparison.Ordinal) || k.EndsWith(".switch.json", StringComparison.Ordinal));
}
