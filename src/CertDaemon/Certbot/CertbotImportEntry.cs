namespace CertDaemon.Certbot;

/// <summary>What <c>import-certbot</c> decided for one certbot lineage.</summary>
/// <param name="Name">The lineage name (becomes <c>Certificates[].Name</c>).</param>
/// <param name="Domains">The names of its live certificate, in order (wildcard-covered names left out, see notes).</param>
/// <param name="KeyType">CertDaemon's key type for its key, or null when it has none (see notes).</param>
/// <param name="Action">What happens to the configuration.</param>
/// <param name="Notes">What is carried over, what is replaced and what cannot be: one sentence each, for the operator.</param>
internal sealed record CertbotImportEntry(string Name, IReadOnlyList<string> Domains, string? KeyType, CertbotImportAction Action, IReadOnlyList<string> Notes);

/// <summary>What <c>import-certbot</c> does with a lineage.</summary>
internal enum CertbotImportAction
{
    /// <summary>Added to <c>Certificates</c> (with <c>--write</c>).</summary>
    Add,

    /// <summary>Already configured with the same names and key type: nothing to do.</summary>
    AlreadyConfigured,

    /// <summary>A certificate with that name is configured differently: left alone, the difference is printed.</summary>
    ConfiguredDifferently,

    /// <summary>Cannot be carried over (no readable live certificate, an unsupported key); the reason is in the notes.</summary>
    Skipped,
}
