using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;

namespace CertDaemon.Storage;

/// <summary>
/// Reads what a lineage is on disk: what <c>live/NAME</c> serves, which versions <c>archive/NAME</c> and the version
/// directories hold, which of them CertDaemon wrote, and a version's files.
/// </summary>
/// <remarks>Never writes and takes no lock: callers that act on the answer hold the lineage lock themselves.
/// Layout surprises (a foreign link, certbot links that disagree) are <see cref="CertificateStoreException"/>s.</remarks>
internal sealed class LineageReader(LineagePaths paths)
{
    /// <summary>What <c>live/NAME</c> is, and the version it serves.</summary>
    public LiveState ReadLive(string name)
    {
        var path = paths.Live(name);
        var target = new FileInfo(path).LinkTarget;
        if (target is not null)
        {
            var version = LineagePaths.ParseVersionDirectory(name, target, partial: false)
                ?? throw new CertificateStoreException(name, $"{path} links to '{target}', which CertDaemon did not create; refusing to touch it.");

            // certbot renewing behind CertDaemon's back follows live/NAME and repoints the links inside our version
            // directory: what is live is what those links name.
            var directory = Path.Combine(paths.LiveRoot, target);
            return new LiveState(LiveKind.Link, Directory.Exists(directory) ? ReadCertbotDirectoryVersion(name, directory) : version);
        }

        if (Directory.Exists(path))
        {
            return new LiveState(LiveKind.CertbotDirectory, ReadCertbotDirectoryVersion(name, path));
        }

        return File.Exists(path) ? new LiveState(LiveKind.Unknown, null) : new LiveState(LiveKind.Missing, null);
    }

    /// <summary>The version certbot's real <c>live/NAME</c> directory links: all four links must agree.</summary>
    public int ReadCertbotDirectoryVersion(string name, string directory)
    {
        int? version = null;
        foreach (var part in LineagePaths.Parts)
        {
            var link = Path.Combine(directory, part + ".pem");
            var target = new FileInfo(link).LinkTarget
                ?? throw new CertificateStoreException(name, $"{link} is not a symbolic link; certbot's layout expected.");
            var resolved = Path.GetFullPath(Path.Combine(directory, target));
            var fileName = Path.GetFileName(resolved);
            if (!string.Equals(Path.GetDirectoryName(resolved), paths.ArchiveDirectory(name), StringComparison.Ordinal)
                || !fileName.StartsWith(part, StringComparison.Ordinal) || !fileName.EndsWith(".pem", StringComparison.Ordinal)
                || !int.TryParse(fileName.AsSpan(part.Length, fileName.Length - part.Length - 4), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                throw new CertificateStoreException(name, $"{link} links to '{target}', not to archive/{name}/{part}N.pem.");
            }

            if (version is not null && version != n)
            {
                throw new CertificateStoreException(name, $"certbot's links in {directory} name different versions ({version} and {n}); run 'certbot renew' or fix them first.");
            }

            version = n;
        }

        return version!.Value;
    }

    /// <summary>The version the four links inside <paramref name="directory"/> name, or null when they do not agree or are missing.</summary>
    public int? DirectoryVersion(string name, string directory)
    {
        try
        {
            return ReadCertbotDirectoryVersion(name, directory);
        }
        catch (CertificateStoreException)
        {
            return null;
        }
    }

    /// <summary>
    /// The next free number: above every number in <c>archive/NAME/</c>, every version directory, and every version
    /// a live link points to (certbot renewing through <c>live/NAME</c> retargets the links of our directory).
    /// </summary>
    public int NextVersion(string name, int firstOwn) =>
        ArchiveVersions(name).Keys
            .Concat(VersionDirectories(name))
            .Concat(VersionDirectoryPaths(name).Select(d => DirectoryVersion(name, d) ?? 0))
            .Append(ReadLive(name).Version ?? 0)
            .Append(firstOwn - 1)
            .Max() + 1;

    /// <summary>Archive versions of <paramref name="name"/> and which of the four parts each has.</summary>
    public SortedDictionary<int, List<string>> ArchiveVersions(string name)
    {
        var result = new SortedDictionary<int, List<string>>();
        var archive = paths.ArchiveDirectory(name);
        if (!Directory.Exists(archive))
        {
            return result;
        }

        foreach (var file in Directory.EnumerateFiles(archive, "*.pem"))
        {
            var fileName = Path.GetFileName(file);
            foreach (var part in LineagePaths.Parts)
            {
                if (fileName.StartsWith(part, StringComparison.Ordinal)
                    && int.TryParse(fileName.AsSpan(part.Length, fileName.Length - part.Length - 4), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
                {
                    if (!result.TryGetValue(version, out var parts))
                    {
                        result[version] = parts = [];
                    }

                    parts.Add(part);
                }
            }
        }

        return result;
    }

    /// <summary>The numbers of the <c>live/.NAME.vN</c> directories.</summary>
    public IEnumerable<int> VersionDirectories(string name) =>
        Directory.Exists(paths.LiveRoot)
            ? Directory.EnumerateDirectories(paths.LiveRoot, "." + name + ".v*")
                .Select(d => LineagePaths.ParseVersionDirectory(name, Path.GetFileName(d), partial: false))
                .OfType<int>()
                .ToList()
            : [];

    public bool IsCompleteArchiveSet(string name, int version) =>
        LineagePaths.Parts.All(part => File.Exists(paths.ArchiveFile(name, part, version)));

    /// <summary>The four files of an archived version, checked to be complete and consistent enough to make live.</summary>
    /// <exception cref="CertificateMaterialException">A part is missing, or <c>fullchainN.pem</c> is not cert + chain.</exception>
    public async Task<CertificateMaterial> ReadArchivedMaterialAsync(string name, int version, CancellationToken cancellationToken)
    {
        if (!IsCompleteArchiveSet(name, version))
        {
            throw new CertificateMaterialException(name, $"Version {version} of '{name}' is not complete in {paths.ArchiveDirectory(name)}; it cannot be made live.");
        }

        var material = new CertificateMaterial(
            await File.ReadAllTextAsync(paths.ArchiveFile(name, "cert", version), cancellationToken),
            await File.ReadAllTextAsync(paths.ArchiveFile(name, "chain", version), cancellationToken),
            await File.ReadAllTextAsync(paths.ArchiveFile(name, "privkey", version), cancellationToken));
        var fullChain = await File.ReadAllTextAsync(paths.ArchiveFile(name, "fullchain", version), cancellationToken);
        if (!string.Equals(fullChain.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd() + "\n", material.FullChainPem, StringComparison.Ordinal))
        {
            throw new CertificateMaterialException(name, $"{paths.ArchiveFile(name, "fullchain", version)} is not cert{version}.pem followed by chain{version}.pem; refusing to make it live.");
        }

        return material;
    }

    /// <summary>A stored version as callers see it; reads the certificate only when <paramref name="verified"/> is null.</summary>
    public StoredVersion DescribeVersion(string name, int version, LineageMarker? marker, VerifiedCertificate? verified)
    {
        var certificatePath = paths.ArchiveFile(name, "cert", version);
        string serial;
        DateTimeOffset notAfter;
        if (verified is not null)
        {
            (serial, notAfter) = (verified.Serial, verified.NotAfter);
        }
        else
        {
            (serial, notAfter) = ReadFirstCertificate(name, certificatePath);
        }

        return new StoredVersion(
            name,
            version,
            IsCertbotVersion: !IsOwnVersionWith(name, marker, version, () => serial),
            certificatePath,
            paths.ArchiveFile(name, "chain", version),
            paths.ArchiveFile(name, "fullchain", version),
            paths.ArchiveFile(name, "privkey", version),
            serial,
            notAfter);
    }

    /// <summary>
    /// Whether CertDaemon wrote <paramref name="version"/>: recorded with the serial its <c>certN.pem</c> still has
    /// (a missing certificate counts: a crash before it was written). Without a marker nothing is CertDaemon's.
    /// </summary>
    public bool IsOwnVersion(string name, LineageMarker? marker, int version) =>
        IsOwnVersionWith(name, marker, version, () => CertificateSerialOf(name, version));

    /// <summary>Like the public overload, with the serial of <c>certN.pem</c> from a caller that has just read it.</summary>
    private bool IsOwnVersionWith(string name, LineageMarker? marker, int version, Func<string?> certificateSerial)
    {
        if (marker is null)
        {
            return false;
        }

        if (marker.Written is null)
        {
            return version >= marker.FirstOwnVersion && Directory.Exists(paths.VersionDirectory(name, version));
        }

        return marker.Written.TryGetValue(version, out var serial)
            && (certificateSerial() is not { } actual || string.Equals(actual, serial, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The serial of <c>archive/NAME/certN.pem</c> (lower-case hex), or null when it is missing or unreadable.</summary>
    public string? CertificateSerialOf(string name, int version)
    {
        var path = paths.ArchiveFile(name, "cert", version);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return ReadFirstCertificate(name, path).Serial;
        }
        catch (Exception e) when (e is CertificateStoreException or IOException)
        {
            // Half-written by a crashed writer: no serial to compare.
            return null;
        }
    }

    public static bool IsSymbolicLink(string path) => new FileInfo(path).LinkTarget is not null;

    private IEnumerable<string> VersionDirectoryPaths(string name) =>
        Directory.Exists(paths.LiveRoot)
            ? Directory.EnumerateDirectories(paths.LiveRoot, "." + name + ".v*").Where(d => LineagePaths.ParseVersionDirectory(name, Path.GetFileName(d), partial: false) is not null).ToList()
            : [];

    private static ReadOnlySpan<byte> Utf8ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>Serial and expiry of the first PEM block of <paramref name="path"/>.</summary>
    /// <remarks>Read as bytes, never decoded to text: a PEM file is ASCII, and the string, its reader's buffers and
    /// the Base64 substring cost more than the two fields (<c>status</c> reads every live <c>fullchain.pem</c>).</remarks>
    /// <exception cref="CertificateStoreException">The file holds no certificate (the message names it).</exception>
    internal static CertificateIdentity ReadFirstCertificate(string name, string path)
    {
        var bytes = File.ReadAllBytes(path);
        // A UTF-8 byte order mark (an editor's) is skipped, as OpenSSL skips it: nginx serves such a file.
        var pem = bytes.AsSpan(bytes.AsSpan().StartsWith(Utf8ByteOrderMark) ? Utf8ByteOrderMark.Length : 0);
        if (!PemEncoding.TryFindUtf8(pem, out var fields))
        {
            throw new CertificateStoreException(name, $"{path} holds no PEM certificate.");
        }

        // TryFindUtf8 skips a damaged block and finds the next one (the chain's, in a fullchain): the first block is the one.
        if (pem.IndexOf("-----BEGIN"u8) is var first && first != fields.Location.Start.Value)
        {
            throw new CertificateStoreException(name, $"{path} is not a readable certificate: its first PEM block (at byte {first}) is damaged.");
        }

        try
        {
            var der = new byte[fields.DecodedDataLength];
            // TryFindUtf8 has checked the Base64 (line breaks included), so anything but Done is a damaged file all the same.
            if (Base64.DecodeFromUtf8(pem[fields.Base64Data], der, out _, out var written) != OperationStatus.Done)
            {
                throw new FormatException("its Base64 does not decode");
            }

            return CertificateIdentity.FromDer(der.AsMemory(0, written));
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            // The store's own error, naming the file: every caller handles it (a CryptographicException escaped some).
            throw new CertificateStoreException(name, $"{path} is not a readable certificate: {e.Message}", e);
        }
    }
}
