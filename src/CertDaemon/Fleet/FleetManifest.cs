namespace CertDaemon.Fleet;

/// <summary>
/// The fleet's record of one certificate's current version (<c>certificates/NAME/manifest.json</c>): what it is, where
/// its files are and what they hash to, and where the renewing instance imported it into ACM. Never contains key
/// material: the private key is a separate object (SSE-KMS when configured), referenced by key and SHA-256.
/// </summary>
/// <param name="Version">The fleet's version counter: 1 for the first certificate, one more per renewal.</param>
/// <param name="Serial">Lower-case hex without separators.</param>
/// <param name="KeyType">The key type's configuration name (<c>ec256</c>, <c>rsa2048</c>, ...).</param>
/// <param name="DirectoryUrl">The ACME directory that issued it (ARI and <c>replaces</c> apply only there).</param>
/// <param name="IssuedBy">The holder id of the instance that renewed.</param>
/// <param name="Files">Role (<c>cert</c>, <c>chain</c>, <c>privkey</c>) → object key and SHA-256.</param>
/// <param name="Acm">Region → the ACM certificate imported there (one ARN per region for the whole fleet).</param>
/// <param name="Previous">
/// The older versions still in the store, newest first (<c>Store.KeepVersions</c> minus one at most); null in
/// manifests written before versions were retired (their older folders are never deleted by CertDaemon).
/// </param>
internal sealed record FleetManifest(
    int SchemaVersion,
    string Name,
    int Version,
    string Serial,
    IReadOnlyList<string> Domains,
    string KeyType,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string? AriCertificateId,
    Uri DirectoryUrl,
    DateTimeOffset IssuedAt,
    string IssuedBy,
    IReadOnlyDictionary<string, FleetFile> Files,
    IReadOnlyDictionary<string, FleetAcmImport> Acm,
    IReadOnlyList<FleetPreviousVersion>? Previous = null)
{
    /// <summary>The manifest format written by this version.</summary>
    public const int CurrentSchemaVersion = 1;

    public const string CertificateFile = "cert";
    public const string ChainFile = "chain";
    public const string PrivateKeyFile = "privkey";
}
