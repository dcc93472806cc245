using CertDaemon.Kernel;

namespace CertDaemon.Configuration;

/// <summary>
/// The pure rules of one <c>Certificates[i]</c> entry: its name (the store's own <see cref="CertificateName"/> rule),
/// its domains as a CA would judge them, its profile, Route53 overrides and ACM section. Reads the domains as written
/// (messages quote them); <see cref="CertDaemonOptionsNormalizer"/> rewrites them once the configuration is valid.
/// </summary>
internal static class CertificateOptionsRules
{
    /// <summary>RFC 8555 7.4 lets a CA cap identifiers per order; Let's Encrypt allows 100 names per certificate.</summary>
    public const int MaxDomainsPerCertificate = 100;

    public static void Validate(CertificateOptions certificate, string path, Action<string, string> report)
    {
        Name(certificate.Name, path + ".Name", report);
        Domains(certificate.Domains, path + ".Domains", report);
        AcmeOptionsRules.Profile(certificate.Profile, path + ".Profile", report);
        if (certificate.Route53 is { } route53)
        {
            Route53OptionsRules.ValidateOverride(route53, path + ".Route53", report);
        }

        if (certificate.Acm is { } acm)
        {
            AcmOptionsRules.Validate(acm, certificate.KeyType, path + ".Acm", report);
        }
    }

    /// <summary>Names are compared ignoring case: they become directory names, and lookups by name ignore case.</summary>
    public static void UniqueNames(IReadOnlyList<CertificateOptions> certificates, int index, Dictionary<string, int> seen, Action<string, string> report)
    {
        var name = certificates[index].Name;
        if (!string.IsNullOrEmpty(name) && !seen.TryAdd(name, index))
        {
            report($"$.Certificates[{index}].Name", $"duplicate name \"{name}\" (also $.Certificates[{seen[name]}].Name; names are compared ignoring case)");
        }
    }

    private static void Name(string name, string path, Action<string, string> report)
    {
        if (string.IsNullOrEmpty(name))
        {
            report(path, "required (the directory name under live/ and archive/)");
        }
        else if (!CertificateName.IsValid(name))
        {
            report(path, $"\"{name}\" is not a safe file name (1-{CertificateName.MaxLength} of A-Z a-z 0-9 . _ -, starting with a letter or digit)");
        }
    }

    private static void Domains(IReadOnlyList<string> domains, string path, Action<string, string> report)
    {
        if (domains.Count == 0)
        {
            report(path, "at least one domain is required");
        }
        else if (domains.Count > MaxDomainsPerCertificate)
        {
            report(path, $"{domains.Count} names; a certificate can have at most {MaxDomainsPerCertificate}");
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < domains.Count; i++)
        {
            if (!DomainNameNormalizer.TryNormalize(domains[i], allowWildcard: true, out var name, out var error))
            {
                report($"{path}[{i}]", error);
                continue;
            }

            if (!seen.TryAdd(name, i))
            {
                report($"{path}[{i}]", $"\"{domains[i]}\" is \"{name}\", already listed as Domains[{seen[name]}]");
            }
        }

        // Boulder refuses an order naming both *.example.com and www.example.com ("redundant with a wildcard").
        foreach (var (name, index) in seen)
        {
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            if (!name.StartsWith("*.", StringComparison.Ordinal) && seen.TryGetValue("*" + name[dot..], out var wildcardIndex))
            {
                report($"{path}[{index}]", $"\"{name}\" is covered by \"*{name[dot..]}\" (Domains[{wildcardIndex}]); CAs refuse such a redundant order: remove one");
            }
        }
    }
}
