using System.Text;
using CertDaemon.Kernel;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Storage;

/// <summary>
/// Certificates on disk in certbot's layout, switched live atomically as a set.
/// </summary>
/// <remarks>
/// <para><b>Layout</b> (under the certificate directory, e.g. <c>/etc/letsencrypt</c>):</para>
/// <code>
/// archive/NAME/{cert,chain,fullchain,privkey}N.pem   version N, written once, never changed (privkey 0600)
/// live/.NAME.vN/{cert,chain,fullchain,privkey}.pem   symlinks ../../archive/NAME/certN.pem ... (one directory per version)
/// live/NAME -> .NAME.vN                              THE live set: one symbolic link
/// .certdaemon/NAME.{lock,lineage.json,switch.json}   lock, certbot boundary, switch journal
/// </code>
/// <para>nginx and every other reader keep using <c>live/NAME/fullchain.pem</c> and <c>live/NAME/privkey.pem</c>:
/// the kernel resolves <c>live/NAME</c> to the version directory, and since that directory sits next to
/// <c>live/NAME</c>, the relative links <c>../../archive/NAME/...</c> certbot uses resolve the same way whether
/// followed physically or normalised textually (as certbot's own tools do).</para>
/// <para><b>Why one link.</b> certbot keeps four links in a real <c>live/NAME/</c> directory and replaces them one by
/// one, so a reader can meet a new certificate next to an old key. Here the whole set changes with one
/// <c>rename(2)</c> of the <c>live/NAME</c> link: at every instant <c>live/NAME</c> names one complete, verified,
/// fsynced version. The trade-off: <c>live/NAME</c> is a symbolic link to a directory instead of a directory, which
/// nginx, HAProxy, Postfix etc. never notice, but certbot itself, if run on the same lineage again, would update
/// links inside the version directory; run one tool per lineage. A reader that opens the certificate and the key
/// in two separate calls can still straddle a switch; nginx reads both at (re)load, which the deployer starts
/// only after the switch.</para>
/// <para><b>Commit protocol</b> (<see cref="CommitAsync"/>), under the lineage lock: verify the set; write the
/// journal; write the four archive files (each via <see cref="AtomicFile"/>); build <c>.NAME.vN.partial</c> with
/// the four links, fsync it, rename it to <c>.NAME.vN</c>; create the link <c>.NAME.next -> .NAME.vN</c> and
/// rename it over <c>live/NAME</c> &#8212; the <b>commit point</b>; fsync <c>live/</c>, remove the journal, prune.
/// A failure before the commit point undoes everything written and throws <see cref="CertificateStoreException"/>;
/// after it, the new set is live and a failing tail step only logs a warning (the next start redoes it).</para>
/// <para><b>Adopting certbot's lineage.</b> When <c>live/NAME</c> is certbot's real directory (linking version K),
/// CertDaemon's numbering continues at max(N in archive)+1, recorded in <c>NAME.lineage.json</c> before its first
/// file, and nothing below that number is ever removed. The first switch swaps the new link and the real
/// directory with one <c>renameat2(RENAME_EXCHANGE)</c> (atomic; the directory then becomes <c>.NAME.vK</c>, so
/// rolling back to certbot's last version works). On a file system without RENAME_EXCHANGE it falls back to two
/// renames (directory aside to <c>.NAME.vK</c>, link into place): between them <c>live/NAME</c> is missing for a
/// moment &#8212; readers get "no such file", never a mismatched pair &#8212; and a crash there is undone on start
/// by renaming the directory back. This fallback window is the one weakness of the design.</para>
/// <para><b>Recovery</b> (<see cref="RecoverAsync(CancellationToken)"/>, and at the start of every operation on a lineage): a journal
/// whose version is live is finished (tail steps redone); any other journal is undone (the new version's files
/// removed, certbot's directory put back). Temporary files, <c>.partial</c> directories, a stray
/// <c>.NAME.next</c> and CertDaemon's archive files without a version directory are removed.</para>
/// <para><b>Where each part lives.</b> This class is the entry point and holds the lock; the work is done by
/// <see cref="LineagePaths"/> (where files are), <see cref="LineageReader"/> (what is on disk),
/// <see cref="LineageMetadata"/> (marker and journal), <see cref="LiveSwitch"/> (the journalled switch and its one
/// error path), <see cref="LineageRecoverer"/> (crash recovery) and <see cref="LineageRemoval"/> (prune, purge).</para>
/// </remarks>
internal sealed class CertificateStore
{
    private readonly LineagePaths _paths;
    private readonly CertificateStoreOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly IStoreFileSystem _fileSystem;
    private readonly LineageReader _reader;
    private readonly LineageMetadata _metadata;
    private readonly LineageRemoval _removal;
    private readonly LiveSwitch _switch;
    private readonly LineageRecoverer _recoverer;
    private readonly LiveHealth _health;
    private readonly StoreRoots _roots;

    /// <param name="certificateDirectory">The directory holding <c>live/</c> and <c>archive/</c>, e.g. <c>/etc/letsencrypt</c>.</param>
    /// <param name="options">Retention and locking.</param>
    /// <param name="timeProvider">Clock for lock waits.</param>
    /// <param name="logger">Storage events.</param>
    public CertificateStore(string certificateDirectory, CertificateStoreOptions options, TimeProvider timeProvider, ILogger logger)
        : this(certificateDirectory, options, timeProvider, logger, LinuxFileSystem.Instance)
    {
    }

    internal CertificateStore(string certificateDirectory, CertificateStoreOptions options, TimeProvider timeProvider, ILogger logger, IStoreFileSystem fileSystem)
    {
        ArgumentException.ThrowIfNullOrEmpty(certificateDirectory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.KeepVersions, 1, nameof(options));
        _paths = new LineagePaths(certificateDirectory);
        _options = options;
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _fileSystem = fileSystem;
        _reader = new LineageReader(_paths);
        _metadata = new LineageMetadata(_paths, _reader, fileSystem, logger);
        _removal = new LineageRemoval(_paths, _reader, _metadata, fileSystem, options.KeepVersions, logger);
        _switch = new LiveSwitch(_paths, _reader, _metadata, _removal, fileSystem, logger);
        _recoverer = new LineageRecoverer(_paths, _reader, _metadata, _switch, fileSystem, logger);
        _health = new LiveHealth(_paths, _reader);
        _roots = new StoreRoots(_paths, fileSystem, logger);
    }

    /// <summary>The absolute certificate directory.</summary>
    public string CertificateDirectory => _paths.Root;

    /// <summary><c>live/NAME</c>: the path nginx configurations name (<c>live/NAME/fullchain.pem</c>, <c>live/NAME/privkey.pem</c>).</summary>
    public string LivePath(string name) => _paths.Live(name);

    /// <summary>
    /// Verifies <paramref name="material"/>, stores it as the next version of <paramref name="name"/> and makes it
    /// the live set in one atomic switch, then prunes old versions.
    /// </summary>
    /// <returns>The version now live.</returns>
    /// <exception cref="CertificateMaterialException">The set is inconsistent; nothing was written.</exception>
    /// <exception cref="CertificateStoreException">A step failed before the switch; everything written was removed
    /// and the previous set is still live. The message names the step and the path.</exception>
    public async Task<StoredVersion> CommitAsync(string name, CertificateMaterial material, CancellationToken cancellationToken)
    {
        CertificateName.Validate(name);
        ArgumentNullException.ThrowIfNull(material);
        var verified = CertificateMaterialVerifier.Verify(name, material);
        EnsureRoots(name);
        using var held = await AcquireLockAsync(name, cancellationToken);

        var step = "finish or undo earlier unfinished work";
        LiveState live;
        LineageMarker marker;
        int version;
        (UnixFileMode Mode, uint? Group) key;
        (UnixFileMode Mode, uint? Group) directory;
        try
        {
            _recoverer.Recover(name);
            step = "prepare the lineage";
            live = ReadReplaceableLive(name);

            marker = await _metadata.LoadOrAdoptLineageAsync(name, live, cancellationToken);
            version = _reader.NextVersion(name, marker.FirstOwnVersion);
            step = "read the permissions of the live version";
            key = OperatorPermissions.ForNewKey(live.Version is { } previous ? _paths.ArchiveFile(name, "privkey", previous) : null);
            directory = OperatorPermissions.ForVersionDirectory(live.Kind == LiveKind.Missing ? null : LivePath(name));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CertificateStoreException(name, $"Storing a new version of '{name}' failed while trying to {step}: {e.Message}. The live set is unchanged.", e);
        }

        var files = new (string Path, string Content, UnixFileMode Mode, uint? Group)[]
        {
            (_paths.ArchiveFile(name, "cert", version), material.NormalizedCertificatePem, LineagePaths.PublicFileMode, null),
            (_paths.ArchiveFile(name, "chain", version), material.NormalizedChainPem, LineagePaths.PublicFileMode, null),
            (_paths.ArchiveFile(name, "fullchain", version), material.FullChainPem, LineagePaths.PublicFileMode, null),
            (_paths.ArchiveFile(name, "privkey", version), material.NormalizedPrivateKeyPem, key.Mode, key.Group),
        };
        var created = new List<string>();
        await _switch.SwitchAsync(
            name,
            new SwitchJournal(version, live.Version, live.IsCertbotDirectory, NewVersion: true),
            live,
            $"Storing version {version} of '{name}'",
            prepare: async setStep =>
            {
                setStep($"record version {version} in {_paths.LineageMarker(name)}");
                marker = await _metadata.RecordWrittenAsync(name, marker, version, verified.Serial, cancellationToken);
                foreach (var (path, content, mode, group) in files)
                {
                    setStep($"write {path}");
                    await AtomicFile.CreateAsync(_fileSystem, path, Encoding.UTF8.GetBytes(content), mode, group, cancellationToken);
                    created.Add(path);
                }

                _switch.BuildVersionDirectory(name, version, directory, setStep);
            },
            beforeUndo: async (e, failedStep) =>
            {
                StorageLog.CommitFailed(_logger, name, version, failedStep, live.Version, e.Message);
                if (e is not IOException io || !LinuxNative.IsAlreadyExists(io))
                {
                    return false;
                }

                // Another tool (certbot renewing this lineage) wrote version N meanwhile: remove only what this commit
                // created; the other tool's files stay exactly as they are.
                foreach (var path in created)
                {
                    _fileSystem.DeleteFile(path);
                }

                await _metadata.ForgetWrittenAsync(name, marker, version);
                return true;
            },
            cancellationToken);

        _removal.Prune(name, marker, version);
        return _reader.DescribeVersion(name, version, marker, verified);
    }

    /// <summary>
    /// Refuses, before anything is ordered from a CA, a <c>live/NAME</c> that <see cref="CommitAsync"/> would refuse to
    /// replace (a link CertDaemon did not make, e.g. one pointing outside the tree; a directory that is not certbot's
    /// four links; a regular file): the same check the commit makes, so no certificate is issued (and no rate limit
    /// spent) for a run that cannot store it. Reads only; takes no lock.
    /// </summary>
    /// <exception cref="CertificateStoreException">The message names <c>live/NAME</c>, what is wrong with it, and that
    /// nothing was ordered.</exception>
    public void EnsureCanCommit(string name)
    {
        CertificateName.Validate(name);
        try
        {
            ReadReplaceableLive(name);
        }
        catch (CertificateStoreException e)
        {
            throw new CertificateStoreException(
                name,
                $"{LivePath(name)} cannot be replaced by a new version, so nothing was ordered from the CA: {e.Message} "
                + "Move it aside (or restore certbot's layout of four links into archive/) and run again.");
        }
    }

    /// <summary>
    /// Makes the existing, complete <paramref name="version"/> of <paramref name="name"/> live again, atomically
    /// (the nginx deployer's rollback when <c>nginx -t</c> refuses a new set). certbot's versions qualify too.
    /// </summary>
    /// <exception cref="CertificateMaterialException">The version is missing, incomplete or inconsistent; nothing changed.</exception>
    /// <exception cref="CertificateStoreException">A step failed before the switch; the previous set is still live.</exception>
    public async Task<StoredVersion> SwitchLiveAsync(string name, int version, CancellationToken cancellationToken)
    {
        CertificateName.Validate(name);
        EnsureRoots(name);
        using var held = await AcquireLockAsync(name, cancellationToken);
        _recoverer.Recover(name);

        var live = _reader.ReadLive(name);
        var marker = await _metadata.LoadOrAdoptLineageAsync(name, live, cancellationToken);
        var material = await _reader.ReadArchivedMaterialAsync(name, version, cancellationToken);
        var verified = CertificateMaterialVerifier.Verify(name, material);
        if (live.IsLink && live.Version == version)
        {
            return _reader.DescribeVersion(name, version, marker, verified);
        }

        await _switch.SwitchAsync(
            name,
            new SwitchJournal(version, live.Version, live.IsCertbotDirectory, NewVersion: false),
            live,
            $"Switching '{name}' to version {version}",
            prepare: setStep =>
            {
                var versionDirectory = _paths.VersionDirectory(name, version);
                setStep($"check that {versionDirectory} names version {version}");
                if (!Directory.Exists(versionDirectory) || _reader.DirectoryVersion(name, versionDirectory) != version)
                {
                    // Missing, or retargeted by certbot renewing through live/NAME: rebuilt so it names its own version.
                    if (live.IsLink && string.Equals(new FileInfo(LivePath(name)).LinkTarget, Path.GetFileName(versionDirectory), StringComparison.Ordinal))
                    {
                        throw new IOException(
                            $"{versionDirectory} is live but names version {live.Version} (another tool renewed through live/{name}); it cannot be rebuilt in place");
                    }

                    _removal.DiscardVersionDirectory(name, version);
                    _switch.BuildVersionDirectory(name, version, OperatorPermissions.ForVersionDirectory(live.Kind == LiveKind.Missing ? null : LivePath(name)), setStep);
                }

                return Task.CompletedTask;
            },
            beforeUndo: null,
            cancellationToken);

        return _reader.DescribeVersion(name, version, marker, verified);
    }

    /// <summary>What is wrong with the files nginx reads for <paramref name="version"/>, one line each (see <see cref="LiveHealth.Inspect"/>). Reads only.</summary>
    public IReadOnlyList<string> InspectLive(string name, int version)
    {
        CertificateName.Validate(name);
        return _health.Inspect(name, version);
    }

    /// <summary>
    /// Restores what can be restored safely of the live files of <paramref name="version"/> (the version the state
    /// names as current): a missing <c>live/NAME</c> (switched to that version again), a missing version directory or
    /// link inside it (put back), a private key others may read or the group may write (tightened). Only when the four
    /// archive files of that version are complete and verify; never a file's content. Logs <c>LiveRepaired</c>.
    /// </summary>
    /// <returns>What was repaired and what is still wrong (e.g. a key owned by another user, reported only).</returns>
    /// <exception cref="CertificateMaterialException">The version cannot be restored (incomplete or inconsistent); nothing changed.</exception>
    /// <exception cref="CertificateStoreException">A step failed.</exception>
    public async Task<LiveRepairResult> RepairLiveAsync(string name, int version, CancellationToken cancellationToken)
    {
        CertificateName.Validate(name);
        if (_health.Inspect(name, version) is not { Count: > 0 } problems)
        {
            return new LiveRepairResult([], []);
        }

        var repaired = new List<string>();
        var live = LivePath(name);
        var target = new FileInfo(live).LinkTarget;
        if (target is null && !Directory.Exists(live) && !File.Exists(live))
        {
            // Gone entirely: the version the state names goes live again, exactly as a rollback would make it live.
            await _health.EnsureRestorableAsync(name, version, problems, cancellationToken);
            await SwitchLiveAsync(name, version, cancellationToken);
            repaired.Add($"{live} recreated, pointing at version {version}");
        }
        else if (problems.Any(p => !p.StartsWith(_paths.ArchiveFile(name, "privkey", version), StringComparison.Ordinal)))
        {
            await _health.EnsureRestorableAsync(name, version, problems, cancellationToken);
            EnsureRoots(name);
            using var held = await AcquireLockAsync(name, cancellationToken);
            try
            {
                var directory = target is null ? live : Path.Combine(_paths.LiveRoot, target);
                if (target is not null && !Directory.Exists(directory) && LineagePaths.ParseVersionDirectory(name, target, partial: false) == version)
                {
                    // The archive directory carries the operator's group and traverse bits (its readers must enter it too).
                    _switch.BuildVersionDirectory(name, version, OperatorPermissions.ForVersionDirectory(_paths.ArchiveDirectory(name)), _ => { });
                    repaired.Add($"{directory} rebuilt");
                }
                else if (Directory.Exists(directory))
                {
                    repaired.AddRange(_health.RelinkParts(name, directory, version, _fileSystem).Select(link => $"{link} put back"));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CertificateStoreException(name, $"Restoring the live files of '{name}' (version {version}) failed: {e.Message}", e);
            }
        }

        if (_health.TryTightenKey(name, version, out var notTightened) is { } tightened)
        {
            var key = _paths.ArchiveFile(name, "privkey", version);
            StorageLog.PermissionsTightened(_logger, key, tightened.Old, tightened.New);
            repaired.Add($"{key} mode tightened");
        }

        IReadOnlyList<string> left = [.. _health.Inspect(name, version), .. notTightened is null ? Array.Empty<string>() : [notTightened]];
        if (repaired.Count > 0)
        {
            StorageLog.LiveRepaired(_logger, name, version, string.Join("; ", problems), string.Join("; ", repaired));
        }

        return new LiveRepairResult(repaired, left);
    }

    /// <summary>The live version of <paramref name="name"/>, or null when there is none. Reads only; takes no lock.</summary>
    /// <exception cref="CertificateStoreException"><c>live/NAME</c> is something CertDaemon and certbot never create.</exception>
    public StoredVersion? GetLive(string name) =>
        GetLiveVersion(name) is { } version ? _reader.DescribeVersion(name, version, _metadata.ReadLineageMarker(name), verified: null) : null;

    /// <summary>
    /// The number of the version <c>live/NAME</c> serves when its archive set is complete (what <see cref="GetLive"/>
    /// would describe), else null; reads only links and directory entries, not the certificate.
    /// </summary>
    /// <exception cref="CertificateStoreException"><c>live/NAME</c> is something CertDaemon and certbot never create.</exception>
    public int? GetLiveVersion(string name)
    {
        CertificateName.Validate(name);
        return _reader.ReadLive(name).Version is { } version && _reader.IsCompleteArchiveSet(name, version) ? version : null;
    }

    /// <summary>Every complete version of <paramref name="name"/> in <c>archive/</c>, oldest first.</summary>
    public IReadOnlyList<StoredVersion> GetVersions(string name)
    {
        CertificateName.Validate(name);
        var marker = _metadata.ReadLineageMarker(name);
        return _reader.ArchiveVersions(name)
            .Where(v => v.Value.Count == LineagePaths.Parts.Length)
            .Select(v => _reader.DescribeVersion(name, v.Key, marker, verified: null))
            .OrderBy(v => v.Version)
            .ToList();
    }

    /// <summary>
    /// The numbers in <c>archive/NAME</c> above <paramref name="above"/> that CertDaemon did not write, newest first,
    /// complete or not: another tool's renewals (certbot writes a new number even when it does not make it live).
    /// Reads only; takes no lock.
    /// </summary>
    public IReadOnlyList<int> ForeignVersionsAbove(string name, int above)
    {
        CertificateName.Validate(name);
        var newer = _reader.ArchiveVersions(name).Keys.Where(v => v > above).ToList();
        if (newer.Count == 0)
        {
            // The usual answer (the state's version is the newest): the marker of what CertDaemon wrote is not needed,
            // and not read (a quarter of what status spent per certificate). A damaged marker is reported when it is
            // needed: by the next issuance, or here when another tool's version turns up.
            return [];
        }

        var marker = _metadata.ReadLineageMarker(name);
        return newer
            .Where(v => !_reader.IsOwnVersion(name, marker, v))
            .OrderByDescending(v => v)
            .ToList();
    }

    /// <summary>
    /// Reads <paramref name="version"/> back and checks that it could be made live: all four files present,
    /// <c>fullchain</c> is <c>cert</c> followed by <c>chain</c>, the key matches the certificate, the chain starts
    /// with its issuer. Reads only; takes no lock.
    /// </summary>
    /// <exception cref="CertificateMaterialException">The set is incomplete or inconsistent.</exception>
    public async Task<StoredVersion> ReadVerifiedVersionAsync(string name, int version, CancellationToken cancellationToken)
    {
        CertificateName.Validate(name);
        var material = await _reader.ReadArchivedMaterialAsync(name, version, cancellationToken);
        var verified = CertificateMaterialVerifier.Verify(name, material);
        return _reader.DescribeVersion(name, version, _metadata.ReadLineageMarker(name), verified);
    }

    /// <summary>Reads the four PEM parts of a stored version back (for deployers that upload them, e.g. ACM).</summary>
    public async Task<CertificateMaterial> ReadMaterialAsync(StoredVersion version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        return new CertificateMaterial(
            await File.ReadAllTextAsync(version.CertificatePath, cancellationToken),
            await File.ReadAllTextAsync(version.ChainPath, cancellationToken),
            await File.ReadAllTextAsync(version.PrivateKeyPath, cancellationToken));
    }

    /// <summary>
    /// On start: finishes or undoes every half-finished switch and removes leftovers, for every lineage in the
    /// certificate directory (certbot's untouched lineages included, which it only inspects).
    /// </summary>
    /// <returns>One entry per lineage that was looked at.</returns>
    public Task<IReadOnlyList<LineageRecovery>> RecoverAsync(CancellationToken cancellationToken) =>
        RecoverAsync(_recoverer.LineageNames(), cancellationToken);

    /// <summary>
    /// What <see cref="RecoverAsync(CancellationToken)"/> does, for those of <paramref name="names"/> the certificate
    /// directory holds (a command about to work on them); nothing is created for the others. Safe while the daemon or
    /// another command works on the store: a journal, a <c>.partial</c> directory, a <c>.NAME.next</c> link and archive
    /// temporaries exist only while their writer holds the lineage lock, so what is found under it was left by a
    /// process that died.
    /// </summary>
    /// <returns>One entry per lineage that was looked at.</returns>
    /// <exception cref="LockHeldException">Another process held a lineage's lock longer than the lock timeout.</exception>
    public async Task<IReadOnlyList<LineageRecovery>> RecoverAsync(IEnumerable<string> names, CancellationToken cancellationToken)
    {
        var known = _recoverer.LineageNames();
        var results = new List<LineageRecovery>();
        foreach (var name in names.Where(known.Contains).Distinct(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            EnsureRoots(name);
            using var held = await AcquireLockAsync(name, cancellationToken);
            results.Add(_recoverer.Recover(name));
        }

        return results;
    }

    /// <summary>
    /// Removes every file of <paramref name="name"/> (<c>certdaemon delete --purge</c>): the <c>live/NAME</c> link (or
    /// certbot's directory), the version directories, <c>archive/NAME</c>, and the lineage's journal and marker.
    /// </summary>
    /// <remarks>The live link goes first, so a reader meets "no such file", never a link into removed files; a failure
    /// part-way leaves the rest for a second run. The lock file stays (another process may be waiting on it).</remarks>
    /// <returns>The paths removed.</returns>
    /// <exception cref="CertificateStoreException">A removal failed; the message names the path.</exception>
    public async Task<IReadOnlyList<string>> PurgeAsync(string name, CancellationToken cancellationToken)
    {
        CertificateName.Validate(name);
        EnsureRoots(name);
        using var held = await AcquireLockAsync(name, cancellationToken);
        return _removal.Purge(name);
    }

    /// <summary>What <c>live/NAME</c> is, when a new version may replace it; the one check of <see cref="CommitAsync"/> and <see cref="EnsureCanCommit"/>.</summary>
    /// <exception cref="CertificateStoreException"><c>live/NAME</c> is something neither CertDaemon nor certbot creates.</exception>
    private LiveState ReadReplaceableLive(string name)
    {
        var live = _reader.ReadLive(name);
        if (live.Kind == LiveKind.Unknown)
        {
            throw new CertificateStoreException(name, $"{LivePath(name)} is neither CertDaemon's link nor certbot's directory; refusing to replace it.");
        }

        return live;
    }

    private async Task<LineageLock> AcquireLockAsync(string name, CancellationToken cancellationToken) =>
        await LineageLock.AcquireAsync(name, _paths.Lock(name), _options.LockTimeout, _timeProvider, cancellationToken);

    private void EnsureRoots(string name) => _roots.Ensure(name);
}
