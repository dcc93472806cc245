using CertDaemon.Renewal;

namespace CertDaemon.Cli;

/// <summary>Resolves the certificate names a command was given (none = all) against what is managed.</summary>
internal static class CertificateSelection
{
    /// <summary>The selected certificates, or null after printing which names are unknown (a usage error).</summary>
    public static async Task<IReadOnlyList<ManagedCertificate>?> SelectAsync(
        ManagedCertificateCatalog catalog, IReadOnlyList<string> names, string command, TextWriter error, CancellationToken cancellationToken)
    {
        var all = await catalog.ListAsync(cancellationToken);
        if (names.Count == 0)
        {
            return all;
        }

        var unknown = names.Where(n => !all.Any(c => string.Equals(c.Name, n, StringComparison.OrdinalIgnoreCase))).ToList();
        if (unknown.Count > 0)
        {
            error.WriteLine($"certdaemon {command}: no certificate named {string.Join(", ", unknown.Select(n => $"'{n}'"))} (known: {(all.Count == 0 ? "none" : string.Join(", ", all.Select(c => c.Name)))})");
            return null;
        }

        return [.. all.Where(c => names.Contains(c.Name, StringComparer.OrdinalIgnoreCase))];
    }
}
