using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CertDaemon.Storage;

namespace CertDaemon.Fleet;

/// <summary>
/// Reads and writes certificate manifests and version files in the fleet store. Every manifest write is a
/// compare-and-swap: <c>If-None-Match: *</c> to create, <c>If-Match</c> with the ETag that was read to replace, so a
/// writer holding a stale manifest can never overwrite a newer one. Downloads are verified before anyone may use them.
/// </summary>
/// <param name="keepVersions">How many versions stay in the store, the current one included (<c>Store.KeepVersions</c>).</param>
internal sealed class FleetManifestStore(IFleetObjectStore store, int keepVersions = 5)
{
    /// <summary>Where the store lives, for messages.</summary>
    public string Location => store.Location;

    /// <summary>
    /// Reads the manifest of <paramref name="name"/>. With <paramref name="knownETag"/> this is a conditional GET that
    /// costs one request and no body when nothing changed.
    /// </summary>
    /// <exception cref="FleetStoreException">The store failed, or the manifest does not parse.</exception>
    public async Task<FleetManifestRead> ReadAsync(string name, string? knownETag, CancellationToken cancellationToken)
    {
        var key = FleetKeys.Manifest(name);
        return await store.GetAsync(key, knownETag, cancellationToken) switch
        {
            FleetRead.NotModified => new FleetManifestRead.Unchanged(),
            FleetRead.Missing => new FleetManifestRead.Missing(),
            FleetRead.Found found => new FleetManifestRead.Current(Parse(name, key, found.Content), found.ETag),
            _ => throw new InvalidOperationException("unknown read result"),
        };
    }

    /// <summary>
    /// Replaces the manifest read with <paramref name="expectedETag"/> (null: creates it where there is none).
    /// Returns the new ETag, or null when someone else wrote first (re-read; nothing was changed).
    /// </summary>
    public async Task<string?> TryWriteAsync(FleetManifest manifest, string? expectedETag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, FleetJsonContext.Default.FleetManifest);
        var condition = expectedETag is null ? FleetWriteCondition.Absent : FleetWriteCondition.Matches(expectedETag);
        return await store.PutAsync(FleetKeys.Manifest(manifest.Name), bytes, condition, secret: false, cancellationToken) switch
        {
            FleetWrite.Written written => written.ETag,
            FleetWrite.ConditionFailed => null,
            _ => throw new InvalidOperationException("unknown write result"),
        };
    }

    /// <summary>
    /// Publishes <paramref name="manifest"/> in place of <paramref name="previous"/> (read with
    /// <paramref name="expectedETag"/>; null: creates it): the written manifest lists the previous versions it keeps.
    /// Returns it with its ETag and the versions it no longer lists (to delete with <see cref="DeleteVersionsAsync"/>),
    /// or null when someone else wrote first (nothing was changed).
    /// </summary>
    public async Task<(FleetManifest Written, string ETag, IReadOnlyList<FleetPreviousVersion> Retired)?> TryPublishAsync(
        FleetManifest manifest, FleetManifest? previous, string? expectedETag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        List<FleetPreviousVersion> older = previous is null
            ? []
            : [new(previous.Version, previous.Serial, [.. previous.Files.Values.Select(f => f.Key)]), .. previous.Previous ?? []];
        var keep = Math.Max(keepVersions - 1, 0);
        var written = manifest with { Previous = [.. older.Take(keep)] };
        var etag = await TryWriteAsync(written, expectedETag, cancellationToken);
        return etag is null ? null : (written, etag, [.. older.Skip(keep)]);
    }

    /// <summary>
    /// Deletes the files of <paramref name="retired"/>, never one that <paramref name="current"/> names. Call only
    /// after <paramref name="current"/> was written, under the lease (one deleter, after the last reader moved on).
    /// </summary>
    /// <exception cref="FleetStoreException">A delete failed; the rest of the files stay (orphaned, harmless).</exception>
    public async Task DeleteVersionsAsync(FleetManifest current, IReadOnlyList<FleetPreviousVersion> retired, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(retired);
        var live = current.Files.Values.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var key in retired.SelectMany(v => v.Keys).Where(k => !live.Contains(k)))
        {
            await store.DeleteAsync(key, cancellationToken);
        }
    }

    /// <summary>Uploads one version's files (the key encrypted when a KMS key is configured) and returns them for the manifest.</summary>
    public async Task<IReadOnlyDictionary<string, FleetFile>> UploadAsync(
        string name, int version, string serial, CertificateMaterial material, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(material);
        var files = new Dictionary<string, FleetFile>(StringComparer.Ordinal);
        foreach (var (role, content) in new[]
        {
            (FleetManifest.CertificateFile, material.NormalizedCertificatePem),
            (FleetManifest.ChainFile, material.NormalizedChainPem),
            (FleetManifest.PrivateKeyFile, material.NormalizedPrivateKeyPem),
        })
        {
            var key = FleetKeys.VersionFile(name, version, serial, role);
            var bytes = Encoding.UTF8.GetBytes(content);
            await store.PutAsync(key, bytes, FleetWriteCondition.None, secret: role == FleetManifest.PrivateKeyFile, cancellationToken);
            files[role] = new FleetFile(key, Sha256(bytes));
        }

        return files;
    }

    /// <summary>
    /// Downloads the files <paramref name="manifest"/> names and checks them: each SHA-256 against the manifest, the
    /// key against the certificate, the chain's first certificate against the leaf's issuer, and the serial, names and
    /// lifetime against the manifest. Nothing unchecked leaves this method.
    /// </summary>
    /// <exception cref="FleetStoreException">A file is missing or does not match; the message says which.</exception>
    public async Task<CertificateMaterial> DownloadAsync(FleetManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var role in new[] { FleetManifest.CertificateFile, FleetManifest.ChainFile, FleetManifest.PrivateKeyFile })
        {
            if (!manifest.Files.TryGetValue(role, out var file))
            {
                throw new FleetStoreException($"The fleet manifest of '{manifest.Name}' (version {manifest.Version}) names no '{role}' file.");
            }

            var read = await store.GetAsync(file.Key, null, cancellationToken);
            if (read is not FleetRead.Found found)
            {
                throw new FleetStoreException($"{store.Location}{file.Key} (version {manifest.Version} of '{manifest.Name}') is missing.");
            }

            var hash = Sha256(found.Content);
            if (!string.Equals(hash, file.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new FleetStoreException(
                    $"{store.Location}{file.Key} does not match the manifest of '{manifest.Name}' (SHA-256 {hash}, manifest says {file.Sha256}); not installed.");
            }

            texts[role] = Encoding.UTF8.GetString(found.Content);
        }

        var material = new CertificateMaterial(texts[FleetManifest.CertificateFile], texts[FleetManifest.ChainFile], texts[FleetManifest.PrivateKeyFile]);
        FleetMaterialCheck.Verify(manifest, material);
        return material;
    }

    internal static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private FleetManifest Parse(string name, string key, byte[] content)
    {
        FleetManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(content, FleetJsonContext.Default.FleetManifest);
        }
        catch (JsonException e)
        {
            throw new FleetStoreException($"{store.Location}{key} is not a CertDaemon manifest: {e.Message}", e);
        }

        if (manifest is null || manifest.Name != name || manifest.Files is null || manifest.Domains is null)
        {
            throw new FleetStoreException($"{store.Location}{key} is not the manifest of '{name}'.");
        }

        if (manifest.SchemaVersion > FleetManifest.CurrentSchemaVersion)
        {
            throw new FleetStoreException(
                $"{store.Location}{key} has schema version {manifest.SchemaVersion}; this CertDaemon reads up to {FleetManifest.CurrentSchemaVersion}: upgrade this instance.");
        }

        return manifest with { Acm = manifest.Acm ?? new Dictionary<string, FleetAcmImport>(StringComparer.Ordinal) };
    }
}
