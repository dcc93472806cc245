namespace CertDaemon.Storage;

/// <summary>
/// Whether what nginx reads is intact: <c>live/NAME</c> and its four <c>PART.pem</c> lead to files, <c>fullchain.pem</c>
/// holds a readable certificate, and the current
/// version's private key is private. Reads only (<see cref="Inspect"/>) and the in-place repairs that are safe
/// (<see cref="RelinkParts"/>, <see cref="TightenKey"/>), made by <see cref="CertificateStore.RepairLiveAsync"/> under
/// the lineage lock.
/// </summary>
/// <remarks>
/// Safe means: only toward the version the state names as current, only when its four archive files are complete and
/// verify, and only links and permission bits (never a file's content). A private key owned by another user than
/// <c>archive/NAME</c> is reported, never chowned: who should own it is the operator's decision.
/// </remarks>
internal sealed class LiveHealth(LineagePaths paths, LineageReader reader)
{
    /// <summary>Bits a private key must not have: anything for others, write or execute for the group, execute for the owner.</summary>
    public const UnixFileMode KeyMustNotHave =
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute
        | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.UserExecute;

    /// <summary>What is wrong with the live files of <paramref name="name"/> at <paramref name="version"/>, one line each; empty when nothing.</summary>
    public IReadOnlyList<string> Inspect(string name, int version)
    {
        var problems = new List<string>();
        var live = paths.Live(name);
        var seen = Presence(live);
        if (seen == Seen.Unknown)
        {
            // A monitoring user may not be let into live/ (certbot makes it 0700): what it cannot see is not missing.
            return problems;
        }

        if (seen != Seen.Directory)
        {
            // Only now the link itself is read: to name what is wrong (one statx above answers the healthy case).
            problems.Add(WhatIsWrongWith(live));
        }
        else
        {
            var missing = LineagePaths.Parts
                .Select(part => Path.Combine(live, part + ".pem"))
                .Where(path => Presence(path) == Seen.Missing)
                .Select(path => new FileInfo(path).LinkTarget is { } dangling ? $"{path} links to {dangling}, which is missing" : $"{path} is missing")
                .ToList();
            problems.AddRange(missing);
            if (missing.Count == 0 && Unreadable(name, Path.Combine(live, "fullchain.pem")) is { } unreadable)
            {
                problems.Add(unreadable);
            }
        }

        var key = paths.ArchiveFile(name, "privkey", version);
        if (LinuxNative.TryGetOwnership(key) is { } ownership)
        {
            if ((ownership.Mode & KeyMustNotHave) != 0)
            {
                problems.Add($"{key} has mode {Octal(ownership.Mode)}: others may read it or the group may write it");
            }

            if (LinuxNative.TryGetOwnership(paths.ArchiveDirectory(name)) is { } archive && archive.Owner != ownership.Owner)
            {
                problems.Add($"{key} is owned by uid {ownership.Owner}, not by the owner of {paths.ArchiveDirectory(name)} (uid {archive.Owner}): that user can read and change it");
            }
        }

        return problems;
    }

    /// <summary>
    /// Puts back the missing links among the four in <paramref name="directory"/> (a version directory, or certbot's
    /// live directory), each created beside and renamed into place, so a reader meets the old state or the new one.
    /// Only when the links still present all name <paramref name="version"/>.
    /// </summary>
    /// <returns>The links put back; empty when the directory names another version (then nothing is touched).</returns>
    public List<string> RelinkParts(string name, string directory, int version, IStoreFileSystem fileSystem)
    {
        var restored = new List<string>();
        var present = LineagePaths.Parts
            .Select(part => new FileInfo(Path.Combine(directory, part + ".pem")).LinkTarget)
            .OfType<string>()
            .ToList();
        var expected = LineagePaths.Parts.ToDictionary(part => part, part => LineagePaths.ArchiveLinkTarget(name, part, version));
        if (present.Any(t => !expected.ContainsValue(t)))
        {
            return restored;
        }

        foreach (var part in LineagePaths.Parts)
        {
            var link = Path.Combine(directory, part + ".pem");
            if (File.Exists(link))
            {
                continue;
            }

            var temporary = link + ".certdaemon-relink";
            fileSystem.DeleteFile(temporary);
            fileSystem.CreateSymbolicLink(temporary, expected[part]);
            fileSystem.Rename(temporary, link);
            restored.Add(link);
        }

        if (restored.Count > 0)
        {
            fileSystem.SyncDirectory(directory);
        }

        return restored;
    }

    /// <summary>Removes from the key's mode what <see cref="KeyMustNotHave"/> lists (the group may keep read, as certbot keeps it).</summary>
    /// <returns>The old and new mode when it was changed.</returns>
    public (UnixFileMode Old, UnixFileMode New)? TightenKey(string name, int version)
    {
        var key = paths.ArchiveFile(name, "privkey", version);
        if (LinuxNative.TryGetOwnership(key) is not { } ownership || (ownership.Mode & KeyMustNotHave) == 0)
        {
            return null;
        }

        var tightened = ownership.Mode & ~KeyMustNotHave;
        File.SetUnixFileMode(key, tightened);
        return (ownership.Mode, tightened);
    }

    /// <summary>As <see cref="TightenKey"/>, but a key this process may not change (another owner, and no CAP_FOWNER) is a <paramref name="failure"/>, not an exception.</summary>
    public (UnixFileMode Old, UnixFileMode New)? TryTightenKey(string name, int version, out string? failure)
    {
        failure = null;
        try
        {
            return TightenKey(name, version);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failure = $"{paths.ArchiveFile(name, "privkey", version)}: its mode could not be tightened: {e.Message}";
            return null;
        }
    }

    /// <summary>Version <paramref name="version"/> is complete and verifies, so making it live again is safe.</summary>
    /// <exception cref="CertificateStoreException">It is not; the message names what is broken and the way out.</exception>
    public async Task EnsureRestorableAsync(string name, int version, IReadOnlyList<string> problems, CancellationToken cancellationToken)
    {
        try
        {
            CertificateMaterialVerifier.Verify(name, await reader.ReadArchivedMaterialAsync(name, version, cancellationToken));
        }
        catch (Exception e) when (e is CertificateMaterialException or CertificateStoreException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new CertificateStoreException(
                name,
                $"The live files of '{name}' are broken ({string.Join("; ", problems)}) and version {version} cannot be restored from the archive: {e.Message} "
                + $"'certdaemon renew {name} --force' issues a new certificate.",
                e);
        }
    }

    /// <summary>What <c>live/NAME</c> is when it is not a directory: a link to nothing, a file, or nothing at all.</summary>
    private static string WhatIsWrongWith(string live)
    {
        if (new FileInfo(live).LinkTarget is { } target)
        {
            return $"{live} links to {target}, which is missing";
        }

        return File.Exists(live) ? $"{live} is a file, not certbot's layout" : $"{live} is missing";
    }

    /// <summary>
    /// Why nginx could not load the certificate of <paramref name="path"/> (<c>fullchain.pem</c>: damaged, truncated,
    /// no PEM block), or null when it reads or cannot be read by this user (a monitoring user: nothing to report).
    /// </summary>
    private static string? Unreadable(string name, string path)
    {
        try
        {
            _ = LineageReader.ReadFirstCertificate(name, path);
            return null;
        }
        catch (CertificateStoreException e)
        {
            return e.Message;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether <paramref name="path"/> (followed through links) is a directory, another existing file, missing, or
    /// cannot be looked at by this user.
    /// </summary>
    private static Seen Presence(string path)
    {
        const int NoSuchEntry = 2, NotADirectory = 20; // ENOENT, ENOTDIR
        try
        {
            return LinuxNative.GetOwnership(path).IsDirectory ? Seen.Directory : Seen.Present;
        }
        catch (IOException e) when (e.HResult is NoSuchEntry or NotADirectory)
        {
            return Seen.Missing;
        }
        catch (IOException)
        {
            return Seen.Unknown; // EACCES above it, or an error of the file system: nothing to report as missing
        }
        catch (NotSupportedException)
        {
            return Directory.Exists(path) ? Seen.Directory : File.Exists(path) ? Seen.Present : Seen.Missing;
        }
    }

    private enum Seen
    {
        Directory,
        Present,
        Missing,
        Unknown,
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
