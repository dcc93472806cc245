using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
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
/// <para><b>Recovery</b> (<see cref="RecoverAsync"/>, and at the start of every operation on a lineage): a journal
/// whose version is live is finished (tail steps redone); any other journal is undone (the new version's files
/// removed, certbot's directory put back). Temporary files, <c>.partial</c> directories, a stray
/// <c>.NAME.next</c> and CertDaemon's archive files without a version directory are removed.</para>
/// </remarks>
public sealed class CertificateStore
{
    private static readonly string[] _parts = ["cert", "chain", "fullchain", "privkey"];

    private const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PublicFileMode = PrivateFileMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
    private const string MetaDirectoryName = ".certdaemon";

    private readonly string _root;
    private readonly string _archiveRoot;
    private readonly string _liveRoot;
    private readonly string _metaRoot;
    private readonly CertificateStoreOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly IStoreFileSystem _fileSystem;

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
        _root = Path.GetFullPath(certificateDirectory);
        _archiveRoot = Path.Combine(_root, "archive");
        _liveRoot = Path.Combine(_root, "live");
        _metaRoot = Path.Combine(_root, MetaDirectoryName);
        _options = options;
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _fileSystem = fileSystem;
    }

    /// <summary>The absolute certificate directory.</summary>
    public string CertificateDirectory => _root;

    /// <summary><c>live/NAME</c>: the path nginx configurations name (<c>live/NAME/fullchain.pem</c>, <c>live/NAME/privkey.pem</c>).</summary>
    public string LivePath(string name)
    {
        CertificateName.Validate(name);
        return Path.Combine(_liveRoot, name);
    }

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
            RecoverLineage(name);
            step = "prepare the lineage";
            live = ReadLive(name);
            if (live.Kind == LiveKind.Unknown)
            {
                throw new CertificateStoreException(name, $"{LivePath(name)} is neither CertDaemon's link nor certbot's directory; refusing to replace it.");
            }

            marker = await LoadOrAdoptLineageAsync(name, live, cancellationToken);
            version = NextVersion(name, marker.FirstOwnVersion);
            step = "read the permissions of the live version";
            key = OperatorPermissions.ForNewKey(live.Version is { } previous ? ArchiveFile(name, "privkey", previous) : null);
            directory = OperatorPermissions.ForVersionDirectory(live.Kind == LiveKind.Missing ? null : LivePath(name));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CertificateStoreException(name, $"Storing a new version of '{name}' failed while trying to {step}: {e.Message}. The live set is unchanged.", e);
        }

        var journal = new SwitchJournal(version, live.Version, live.IsCertbotDirectory, NewVersion: true);
        var files = new (string Path, string Content, UnixFileMode Mode, uint? Group)[]
        {
            (ArchiveFile(name, "cert", version), material.NormalizedCertificatePem, PublicFileMode, null),
            (ArchiveFile(name, "chain", version), material.NormalizedChainPem, PublicFileMode, null),
            (ArchiveFile(name, "fullchain", version), material.FullChainPem, PublicFileMode, null),
            (ArchiveFile(name, "privkey", version), material.NormalizedPrivateKeyPem, key.Mode, key.Group),
        };
        var committed = false;
        var created = new List<string>();
        try
        {
            step = $"write the switch journal {JournalPath(name)}";
            await WriteJournalAsync(name, journal, cancellationToken);
            step = $"record version {version} in {LineageMarkerPath(name)}";
            marker = await RecordWrittenAsync(name, marker, version, verified.Serial, cancellationToken);
            foreach (var (path, content, mode, group) in files)
            {
                step = $"write {path}";
                await AtomicFile.CreateAsync(_fileSystem, path, Encoding.UTF8.GetBytes(content), mode, group, cancellationToken);
                created.Add(path);
            }

            BuildVersionDirectory(name, version, directory, s => step = s);
            committed = SwitchLive(name, version, live, s => step = s);
        }
        catch (Exception e) when (!committed && e is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            StorageLog.CommitFailed(_logger, name, version, step, live.Version, e.Message);
            if (e is IOException io && LinuxNative.IsAlreadyExists(io))
            {
                // Another tool (certbot renewing this lineage) wrote version N meanwhile: remove only what this commit
                // created; the other tool's files stay exactly as they are.
                foreach (var path in created)
                {
                    _fileSystem.DeleteFile(path);
                }

                journal = journal with { NewVersion = false };
                await ForgetWrittenAsync(name, marker, version);
            }

            UndoSwitch(name, journal);
            if (e is OperationCanceledException)
            {
                throw;
            }

            throw new CertificateStoreException(
                name,
                $"Storing version {version} of '{name}' failed while trying to {step}: {e.Message}. " +
                $"The live set is unchanged ({DescribeLive(live)}).",
                e);
        }

        FinishSwitch(name, journal);
        StorageLog.LiveSwitched(_logger, name, version, live.Version);
        Prune(name, marker, version);
        return DescribeVersion(name, version, marker, verified);
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
        RecoverLineage(name);

        var live = ReadLive(name);
        var marker = await LoadOrAdoptLineageAsync(name, live, cancellationToken);
        var material = await ReadArchivedMaterialAsync(name, version, cancellationToken);
        var verified = CertificateMaterialVerifier.Verify(name, material);
        if (live.IsLink && live.Version == version)
        {
            return DescribeVersion(name, version, marker, verified);
        }

        var journal = new SwitchJournal(version, live.Version, live.IsCertbotDirectory, NewVersion: false);
        var step = $"write the switch journal {JournalPath(name)}";
        var committed = false;
        try
        {
            await WriteJournalAsync(name, journal, cancellationToken);
            if (!Directory.Exists(VersionDirectory(name, version)) || DirectoryVersion(name, VersionDirectory(name, version)) != version)
            {
                // Missing, or retargeted by certbot renewing through live/NAME: rebuilt so it names its own version.
                if (live.IsLink && string.Equals(new FileInfo(LivePath(name)).LinkTarget, Path.GetFileName(VersionDirectory(name, version)), StringComparison.Ordinal))
                {
                    throw new IOException(
                        $"{VersionDirectory(name, version)} is live but names version {live.Version} (another tool renewed through live/{name}); it cannot be rebuilt in place");
                }

                DiscardVersionDirectory(name, version);
                BuildVersionDirectory(name, version, OperatorPermissions.ForVersionDirectory(live.Kind == LiveKind.Missing ? null : LivePath(name)), s => step = s);
            }

            committed = SwitchLive(name, version, live, s => step = s);
        }
        catch (Exception e) when (!committed && e is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            UndoSwitch(name, journal);
            if (e is OperationCanceledException)
            {
                throw;
            }

            throw new CertificateStoreException(
                name,
                $"Switching '{name}' to version {version} failed while trying to {step}: {e.Message}. The live set is unchanged ({DescribeLive(live)}).",
                e);
        }

        FinishSwitch(name, journal);
        StorageLog.LiveSwitched(_logger, name, version, live.Version);
        return DescribeVersion(name, version, marker, verified);
    }

    /// <summary>The live version of <paramref name="name"/>, or null when there is none. Reads only; takes no lock.</summary>
    /// <exception cref="CertificateStoreException"><c>live/NAME</c> is something CertDaemon and certbot never create.</exception>
    public StoredVersion? GetLive(string name)
    {
        CertificateName.Validate(name);
        var live = ReadLive(name);
        if (live.Version is not { } version || !IsCompleteArchiveSet(name, version))
        {
            return null;
        }

        return DescribeVersion(name, version, ReadLineageMarker(name), verified: null);
    }

    /// <summary>Every complete version of <paramref name="name"/> in <c>archive/</c>, oldest first.</summary>
    public IReadOnlyList<StoredVersion> GetVersions(string name)
    {
        CertificateName.Validate(name);
        var marker = ReadLineageMarker(name);
        return ArchiveVersions(name)
            .Where(v => v.Value.Count == _parts.Length)
            .Select(v => DescribeVersion(name, v.Key, marker, verified: null))
            .OrderBy(v => v.Version)
            .ToList();
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
    public async Task<IReadOnlyList<LineageRecovery>> RecoverAsync(CancellationToken cancellationToken)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        if (Directory.Exists(_liveRoot))
        {
            foreach (var entry in new DirectoryInfo(_liveRoot).EnumerateFileSystemInfos())
            {
                if ((entry is DirectoryInfo || entry.LinkTarget is not null) && CertificateName.Problem(entry.Name) is null)
                {
                    names.Add(entry.Name);
                }
            }
        }

        if (Directory.Exists(_archiveRoot))
        {
            names.UnionWith(new DirectoryInfo(_archiveRoot).EnumerateDirectories().Select(d => d.Name).Where(n => CertificateName.Problem(n) is null));
        }

        if (Directory.Exists(_metaRoot))
        {
            names.UnionWith(Directory.EnumerateFiles(_metaRoot, "*.switch.json")
                .Select(f => Path.GetFileName(f)[..^".switch.json".Length])
                .Where(n => CertificateName.Problem(n) is null));
        }

        var results = new List<LineageRecovery>();
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            EnsureRoots(name);
            using var held = await AcquireLockAsync(name, cancellationToken);
            results.Add(RecoverLineage(name));
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
        var removed = new List<string>();
        var live = Path.Combine(_liveRoot, name);
        try
        {
            if (IsSymbolicLink(live))
            {
                _fileSystem.DeleteFile(live);
                removed.Add(live);
            }
            else if (Directory.Exists(live))
            {
                _fileSystem.DeleteDirectory(live);
                removed.Add(live);
            }

            _fileSystem.SyncDirectory(_liveRoot);
            foreach (var entry in new DirectoryInfo(_liveRoot).EnumerateFileSystemInfos("." + name + ".*"))
            {
                if (ParseVersionDirectory(name, entry.Name, partial: false) is not null
                    || ParseVersionDirectory(name, entry.Name, partial: true) is not null
                    || entry.FullName == NextLinkPath(name))
                {
                    if (entry is DirectoryInfo && entry.LinkTarget is null)
                    {
                        _fileSystem.DeleteDirectory(entry.FullName);
                    }
                    else
                    {
                        _fileSystem.DeleteFile(entry.FullName);
                    }

                    removed.Add(entry.FullName);
                }
            }

            if (Directory.Exists(ArchiveDirectory(name)))
            {
                _fileSystem.DeleteDirectory(ArchiveDirectory(name));
                removed.Add(ArchiveDirectory(name));
            }

            foreach (var meta in new[] { JournalPath(name), LineageMarkerPath(name) }.Where(File.Exists))
            {
                _fileSystem.DeleteFile(meta);
                removed.Add(meta);
            }

            SyncIfExists(_liveRoot);
            SyncIfExists(_archiveRoot);
            SyncIfExists(_metaRoot);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CertificateStoreException(name, $"Removing the files of '{name}' failed: {e.Message}. Removed so far: {(removed.Count == 0 ? "nothing" : string.Join(", ", removed))}.", e);
        }

        return removed;
    }

    // ---- recovery ------------------------------------------------------------------------------------------

    private LineageRecovery RecoverLineage(string name)
    {
        var removed = new List<string>();
        var outcome = RecoveryOutcome.Clean;
        var journal = ReadJournal(name);
        if (journal is not null)
        {
            var live = ReadLive(name);
            if (live.IsLink && live.Version == journal.Version)
            {
                FinishSwitch(name, journal);
                outcome = RecoveryOutcome.Completed;
            }
            else
            {
                removed.AddRange(UndoSwitch(name, journal));
                outcome = RecoveryOutcome.Undone;
            }
        }

        removed.AddRange(AtomicFile.DeleteStaleTemporaryFiles(_fileSystem, ArchiveDirectory(name)));
        foreach (var metaFile in new[] { JournalPath(name), LineageMarkerPath(name) })
        {
            // Exact prefixes: another lineage's temporary files may be in use by its own, concurrent operation.
            var prefix = "." + Path.GetFileName(metaFile) + AtomicFile.TemporaryMarker;
            if (Directory.Exists(_metaRoot))
            {
                foreach (var stale in Directory.EnumerateFiles(_metaRoot, prefix + "*"))
                {
                    _fileSystem.DeleteFile(stale);
                    removed.Add(stale);
                }
            }
        }

        var next = NextLinkPath(name);
        if (IsSymbolicLink(next))
        {
            _fileSystem.DeleteFile(next);
            removed.Add(next);
        }
        else if (Directory.Exists(next))
        {
            // certbot's directory, swapped out by RENAME_EXCHANGE, whose move to .NAME.vK did not happen.
            ParkCertbotDirectory(name, next);
        }

        if (Directory.Exists(_liveRoot))
        {
            foreach (var partial in Directory.EnumerateDirectories(_liveRoot, "." + name + ".v*.partial"))
            {
                if (ParseVersionDirectory(name, Path.GetFileName(partial), partial: true) is not null)
                {
                    _fileSystem.DeleteDirectory(partial);
                    removed.Add(partial);
                }
            }
        }

        if (ReadLineageMarker(name) is { Written: not null } marker)
        {
            var liveVersion = ReadLive(name).Version;
            foreach (var (version, parts) in ArchiveVersions(name))
            {
                // CertDaemon's files without a version directory belong to a commit that never switched, or to a
                // prune that was interrupted: nothing can be using them. Only versions recorded as written by
                // CertDaemon (with that serial) qualify: certbot renewing behind our back writes such files too.
                if (version != liveVersion && !Directory.Exists(VersionDirectory(name, version)) && IsOwnVersion(name, marker, version))
                {
                    foreach (var part in parts)
                    {
                        var path = ArchiveFile(name, part, version);
                        _fileSystem.DeleteFile(path);
                        removed.Add(path);
                    }
                }
            }
        }

        if (removed.Count > 0)
        {
            SyncIfExists(ArchiveDirectory(name));
            SyncIfExists(_liveRoot);
            if (outcome == RecoveryOutcome.Clean)
            {
                outcome = RecoveryOutcome.LeftoversRemoved;
            }
        }

        var result = new LineageRecovery(name, outcome, ReadLive(name).Version, removed);
        if (outcome != RecoveryOutcome.Clean)
        {
            StorageLog.Recovered(_logger, name, outcome, result.LiveVersion, removed);
        }

        return result;
    }

    /// <summary>
    /// Undoes a switch that did not reach its commit point: puts certbot's directory back if it was moved aside,
    /// removes the temporary link, and for a commit removes the new version's files. Failures are logged, never
    /// thrown: the caller is already reporting the original error, and the journal stays for the next start.
    /// </summary>
    private List<string> UndoSwitch(string name, SwitchJournal journal)
    {
        var removed = new List<string>();
        try
        {
            var live = ReadLive(name);
            if (live.Kind == LiveKind.Missing && journal.PreviousVersion is { } previous)
            {
                var aside = VersionDirectory(name, previous);
                if (journal.PreviousWasCertbotDirectory && Directory.Exists(aside) && !IsSymbolicLink(aside))
                {
                    // The two-rename fallback stopped between its renames: certbot's directory goes back in place.
                    _fileSystem.Rename(aside, LivePath(name));
                }
                else if (Directory.Exists(aside))
                {
                    _fileSystem.CreateSymbolicLink(NextLinkPath(name), Path.GetFileName(aside));
                    _fileSystem.Rename(NextLinkPath(name), LivePath(name));
                }

                _fileSystem.SyncDirectory(_liveRoot);
                live = ReadLive(name);
            }

            var next = NextLinkPath(name);
            if (IsSymbolicLink(next))
            {
                _fileSystem.DeleteFile(next);
                removed.Add(next);
            }

            if (journal.NewVersion && live.Version != journal.Version)
            {
                removed.AddRange(DiscardVersion(name, journal.Version));
            }

            _fileSystem.DeleteFile(JournalPath(name));
            _fileSystem.SyncDirectory(_metaRoot);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            StorageLog.CleanupFailed(_logger, name, JournalPath(name), e.Message);
        }

        return removed;
    }

    /// <summary>The tail of a switch past its commit point. Each step is retried on the next start if it fails.</summary>
    private void FinishSwitch(string name, SwitchJournal journal)
    {
        var step = "move certbot's previous live directory to its version slot";
        try
        {
            var next = NextLinkPath(name);
            if (Directory.Exists(next) && !IsSymbolicLink(next))
            {
                ParkCertbotDirectory(name, next);
            }

            step = $"fsync {_liveRoot}";
            _fileSystem.SyncDirectory(_liveRoot);
            step = $"remove the switch journal {JournalPath(name)}";
            _fileSystem.DeleteFile(JournalPath(name));
            _fileSystem.SyncDirectory(_metaRoot);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            StorageLog.PostSwitchStepFailed(_logger, name, journal.Version, step, e.Message);
        }
    }

    private void ParkCertbotDirectory(string name, string directory)
    {
        var version = ReadCertbotDirectoryVersion(name, directory);
        _fileSystem.Rename(directory, VersionDirectory(name, version));
        _fileSystem.SyncDirectory(_liveRoot);
    }

    // ---- the switch ----------------------------------------------------------------------------------------

    /// <summary>Builds <c>live/.NAME.vN</c> complete under a temporary name, then renames it into place.</summary>
    private void BuildVersionDirectory(string name, int version, (UnixFileMode Mode, uint? Group) ownership, Action<string> setStep)
    {
        var partial = PartialVersionDirectory(name, version);
        var final = VersionDirectory(name, version);
        setStep($"create {partial}");
        _fileSystem.DeleteDirectory(partial);
        _fileSystem.CreateDirectory(partial, PrivateDirectoryMode);
        if (ownership.Mode != PrivateDirectoryMode || ownership.Group is not null)
        {
            // Readers of the previous live directory (group ssl-cert, mode 0755) must be able to enter this one.
            setStep($"set the mode and group of {partial}");
            _fileSystem.SetOwnership(partial, ownership.Mode, ownership.Group);
        }

        foreach (var part in _parts)
        {
            var link = Path.Combine(partial, part + ".pem");
            setStep($"create the symbolic link {link}");
            _fileSystem.CreateSymbolicLink(link, $"../../archive/{name}/{part}{version.ToString(CultureInfo.InvariantCulture)}.pem");
        }

        setStep($"fsync {partial}");
        _fileSystem.SyncDirectory(partial);
        setStep($"rename {partial} to {final}");
        _fileSystem.Rename(partial, final);
        setStep($"fsync {_liveRoot}");
        _fileSystem.SyncDirectory(_liveRoot);
    }

    /// <summary>Points <c>live/NAME</c> at version <paramref name="version"/>. Returns true once the commit point is passed.</summary>
    private bool SwitchLive(string name, int version, LiveState live, Action<string> setStep)
    {
        var next = NextLinkPath(name);
        var livePath = LivePath(name);
        if (live.Kind == LiveKind.Unknown)
        {
            throw new IOException($"{livePath} is neither CertDaemon's link nor certbot's directory; refusing to replace it");
        }

        setStep($"create the symbolic link {next}");
        _fileSystem.DeleteFile(next);
        _fileSystem.CreateSymbolicLink(next, Path.GetFileName(VersionDirectory(name, version)));
        if (!live.IsCertbotDirectory)
        {
            setStep($"rename {next} over {livePath}");
            _fileSystem.Rename(next, livePath);
            return true;
        }

        var certbotVersion = live.Version!.Value;
        var aside = VersionDirectory(name, certbotVersion);
        if (Directory.Exists(aside))
        {
            throw new IOException($"{aside} already exists, so certbot's live directory cannot be kept there");
        }

        try
        {
            setStep($"exchange {next} with certbot's directory {livePath}");
            _fileSystem.Exchange(next, livePath);
            return true;
        }
        catch (NotSupportedException e)
        {
            StorageLog.RenameExchangeUnsupported(_logger, name, e.Message);
        }

        setStep($"move certbot's directory {livePath} to {aside}");
        _fileSystem.Rename(livePath, aside);
        setStep($"rename {next} to {livePath}");
        _fileSystem.Rename(next, livePath);
        return true;
    }

    private void Prune(string name, LineageMarker marker, int liveVersion)
    {
        var own = ArchiveVersions(name).Keys.Concat(VersionDirectories(name))
            .Distinct()
            .Where(v => IsOwnVersion(name, marker, v))
            .OrderDescending()
            .ToList();
        foreach (var version in own.Skip(_options.KeepVersions).Where(v => v != liveVersion))
        {
            try
            {
                DiscardVersion(name, version);
                StorageLog.VersionPruned(_logger, name, version);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                StorageLog.PostSwitchStepFailed(_logger, name, liveVersion, $"removing old version {version}", e.Message);
            }
        }
    }

    /// <summary>
    /// Removes a version that is not live: its directory first (renamed to <c>.partial</c>, so a crash mid-delete
    /// leaves something recovery removes), then its archive files.
    /// </summary>
    private List<string> DiscardVersion(string name, int version)
    {
        var removed = DiscardVersionDirectory(name, version);

        // Archive files go only when CertDaemon wrote them: a version certbot wrote under the same number is history.
        var owned = IsOwnVersion(name, ReadLineageMarker(name), version);
        foreach (var part in owned ? _parts : [])
        {
            var path = ArchiveFile(name, part, version);
            if (File.Exists(path))
            {
                _fileSystem.DeleteFile(path);
                removed.Add(path);
            }
        }

        SyncIfExists(_liveRoot);
        SyncIfExists(ArchiveDirectory(name));
        return removed;
    }

    /// <summary>Removes <c>live/.NAME.vN</c> (renamed to <c>.partial</c> first, so a crash mid-delete leaves something recovery removes).</summary>
    private List<string> DiscardVersionDirectory(string name, int version)
    {
        var removed = new List<string>();
        var directory = VersionDirectory(name, version);
        var partial = PartialVersionDirectory(name, version);
        if (Directory.Exists(directory))
        {
            _fileSystem.DeleteDirectory(partial);
            _fileSystem.Rename(directory, partial);
            removed.Add(directory);
        }

        if (Directory.Exists(partial))
        {
            _fileSystem.DeleteDirectory(partial);
            removed.Add(partial);
        }

        return removed;
    }

    // ---- lineage and reading -------------------------------------------------------------------------------

    private async Task<LineageMarker> LoadOrAdoptLineageAsync(string name, LiveState live, CancellationToken cancellationToken)
    {
        if (ReadLineageMarker(name) is { } marker)
        {
            return marker;
        }

        var archive = ArchiveDirectory(name);
        if (!Directory.Exists(archive))
        {
            _fileSystem.CreateDirectory(archive, PrivateDirectoryMode);
            _fileSystem.SyncDirectory(_archiveRoot);
        }

        var existing = ArchiveVersions(name).Keys.Append(live.Version ?? 0).Max();
        var adopted = new LineageMarker(existing + 1, new Dictionary<int, string>());
        await WriteLineageMarkerAsync(name, adopted, cancellationToken);
        if (existing > 0)
        {
            StorageLog.CertbotLineageAdopted(_logger, name, existing, adopted.FirstOwnVersion);
        }

        return adopted;
    }

    /// <summary>
    /// Records <paramref name="version"/> as CertDaemon's (with its serial) before its first file is written, so a
    /// crash leaves files recovery knows it may remove. Entries whose certificate is gone are dropped; a marker from
    /// before the list existed is converted (its version directories name CertDaemon's versions).
    /// </summary>
    private async Task<LineageMarker> RecordWrittenAsync(string name, LineageMarker marker, int version, string serial, CancellationToken cancellationToken)
    {
        var written = new Dictionary<int, string>();
        if (marker.Written is { } recorded)
        {
            foreach (var (existing, existingSerial) in recorded.Where(w => w.Key != version && File.Exists(ArchiveFile(name, "cert", w.Key))))
            {
                written[existing] = existingSerial;
            }
        }
        else
        {
            foreach (var existing in VersionDirectories(name).Where(v => v != version && IsOwnVersion(name, marker, v)))
            {
                if (CertificateSerialOf(name, existing) is { } existingSerial)
                {
                    written[existing] = existingSerial;
                }
            }
        }

        written[version] = serial;
        var updated = marker with { Written = written };
        await WriteLineageMarkerAsync(name, updated, cancellationToken);
        return updated;
    }

    /// <summary>Drops <paramref name="version"/> from the marker after a commit lost the number to another writer (best effort).</summary>
    private async Task ForgetWrittenAsync(string name, LineageMarker marker, int version)
    {
        if (marker.Written is not { } written || !written.ContainsKey(version))
        {
            return;
        }

        try
        {
            await WriteLineageMarkerAsync(name, marker with { Written = written.Where(w => w.Key != version).ToDictionary() }, CancellationToken.None);
        }
        catch (IOException e)
        {
            // The other writer's files are then protected only by their serial differing from ours (IsOwnVersion).
            StorageLog.CleanupFailed(_logger, name, LineageMarkerPath(name), e.Message);
        }
    }

    private Task WriteLineageMarkerAsync(string name, LineageMarker marker, CancellationToken cancellationToken) =>
        AtomicFile.WriteAsync(
            _fileSystem, LineageMarkerPath(name), JsonSerializer.SerializeToUtf8Bytes(marker, StorageJsonContext.Default.LineageMarker), PrivateFileMode, cancellationToken);

    /// <summary>
    /// Whether CertDaemon wrote <paramref name="version"/>: recorded with the serial its <c>certN.pem</c> still has
    /// (a missing certificate counts: a crash before it was written). Without a marker nothing is CertDaemon's.
    /// </summary>
    private bool IsOwnVersion(string name, LineageMarker? marker, int version)
    {
        if (marker is null)
        {
            return false;
        }

        if (marker.Written is null)
        {
            return version >= marker.FirstOwnVersion && Directory.Exists(VersionDirectory(name, version));
        }

        return marker.Written.TryGetValue(version, out var serial)
            && (CertificateSerialOf(name, version) is not { } actual || string.Equals(actual, serial, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The serial of <c>archive/NAME/certN.pem</c> (lower-case hex), or null when it is missing or unreadable.</summary>
    private string? CertificateSerialOf(string name, int version)
    {
        var path = ArchiveFile(name, "cert", version);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var certificate = LoadFirstCertificate(name, path);
            return certificate.SerialNumber.ToLowerInvariant();
        }
        catch (Exception e) when (e is CertificateStoreException or CryptographicException or FormatException or IOException)
        {
            // Half-written by a crashed writer: no serial to compare.
            return null;
        }
    }

    private LineageMarker? ReadLineageMarker(string name)
    {
        var path = LineageMarkerPath(name);
        if (!File.Exists(path))
        {
            return null;
        }

        return JsonSerializer.Deserialize(File.ReadAllBytes(path), StorageJsonContext.Default.LineageMarker)
            ?? throw new CertificateStoreException(name, $"{path} is empty");
    }

    private SwitchJournal? ReadJournal(string name)
    {
        var path = JournalPath(name);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), StorageJsonContext.Default.SwitchJournal)
                ?? throw new CertificateStoreException(name, $"{path} is empty");
        }
        catch (JsonException e)
        {
            // Written atomically, so a broken journal was edited by hand: refuse to guess.
            throw new CertificateStoreException(name, $"The switch journal {path} is not valid JSON; inspect live/{name} and remove it: {e.Message}", e);
        }
    }

    private Task WriteJournalAsync(string name, SwitchJournal journal, CancellationToken cancellationToken) =>
        AtomicFile.WriteAsync(
            _fileSystem,
            JournalPath(name),
            JsonSerializer.SerializeToUtf8Bytes(journal, StorageJsonContext.Default.SwitchJournal),
            PrivateFileMode,
            cancellationToken);

    /// <summary>
    /// The next free number: above every number in <c>archive/NAME/</c>, every version directory, and every version
    /// a live link points to (certbot renewing through <c>live/NAME</c> retargets the links of our directory).
    /// </summary>
    private int NextVersion(string name, int firstOwn) =>
        ArchiveVersions(name).Keys
            .Concat(VersionDirectories(name))
            .Concat(VersionDirectoryPaths(name).Select(d => DirectoryVersion(name, d) ?? 0))
            .Append(ReadLive(name).Version ?? 0)
            .Append(firstOwn - 1)
            .Max() + 1;

    private IEnumerable<string> VersionDirectoryPaths(string name) =>
        Directory.Exists(_liveRoot)
            ? Directory.EnumerateDirectories(_liveRoot, "." + name + ".v*").Where(d => ParseVersionDirectory(name, Path.GetFileName(d), partial: false) is not null).ToList()
            : [];

    /// <summary>The version the four links inside <paramref name="directory"/> name, or null when they do not agree or are missing.</summary>
    private int? DirectoryVersion(string name, string directory)
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

    private LiveState ReadLive(string name)
    {
        var path = LivePath(name);
        var target = new FileInfo(path).LinkTarget;
        if (target is not null)
        {
            var version = ParseVersionDirectory(name, target, partial: false)
                ?? throw new CertificateStoreException(name, $"{path} links to '{target}', which CertDaemon did not create; refusing to touch it.");

            // certbot renewing behind CertDaemon's back follows live/NAME and repoints the links inside our version
            // directory: what is live is what those links name.
            var directory = Path.Combine(_liveRoot, target);
            return new LiveState(LiveKind.Link, Directory.Exists(directory) ? ReadCertbotDirectoryVersion(name, directory) : version);
        }

        if (Directory.Exists(path))
        {
            return new LiveState(LiveKind.CertbotDirectory, ReadCertbotDirectoryVersion(name, path));
        }

        return File.Exists(path) ? new LiveState(LiveKind.Unknown, null) : new LiveState(LiveKind.Missing, null);
    }

    /// <summary>The version certbot's real <c>live/NAME</c> directory links: all four links must agree.</summary>
    private int ReadCertbotDirectoryVersion(string name, string directory)
    {
        int? version = null;
        foreach (var part in _parts)
        {
            var link = Path.Combine(directory, part + ".pem");
            var target = new FileInfo(link).LinkTarget
                ?? throw new CertificateStoreException(name, $"{link} is not a symbolic link; certbot's layout expected.");
            var resolved = Path.GetFullPath(Path.Combine(directory, target));
            var fileName = Path.GetFileName(resolved);
            if (!string.Equals(Path.GetDirectoryName(resolved), ArchiveDirectory(name), StringComparison.Ordinal)
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

    /// <summary>Archive versions of <paramref name="name"/> and which of the four parts each has.</summary>
    private SortedDictionary<int, List<string>> ArchiveVersions(string name)
    {
        var result = new SortedDictionary<int, List<string>>();
        var archive = ArchiveDirectory(name);
        if (!Directory.Exists(archive))
        {
            return result;
        }

        foreach (var file in Directory.EnumerateFiles(archive, "*.pem"))
        {
            var fileName = Path.GetFileName(file);
            foreach (var part in _parts)
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

    private IEnumerable<int> VersionDirectories(string name) =>
        Directory.Exists(_liveRoot)
            ? Directory.EnumerateDirectories(_liveRoot, "." + name + ".v*")
                .Select(d => ParseVersionDirectory(name, Path.GetFileName(d), partial: false))
                .OfType<int>()
                .ToList()
            : [];

    private static int? ParseVersionDirectory(string name, string entryName, bool partial)
    {
        var prefix = "." + name + ".v";
        if (!entryName.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = entryName.AsSpan(prefix.Length);
        if (partial)
        {
            if (!rest.EndsWith(".partial", StringComparison.Ordinal))
            {
                return null;
            }

            rest = rest[..^".partial".Length];
        }

        return int.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;
    }

    private bool IsCompleteArchiveSet(string name, int version) =>
        _parts.All(part => File.Exists(ArchiveFile(name, part, version)));

    private async Task<CertificateMaterial> ReadArchivedMaterialAsync(string name, int version, CancellationToken cancellationToken)
    {
        if (!IsCompleteArchiveSet(name, version))
        {
            throw new CertificateMaterialException(name, $"Version {version} of '{name}' is not complete in {ArchiveDirectory(name)}; it cannot be made live.");
        }

        var material = new CertificateMaterial(
            await File.ReadAllTextAsync(ArchiveFile(name, "cert", version), cancellationToken),
            await File.ReadAllTextAsync(ArchiveFile(name, "chain", version), cancellationToken),
            await File.ReadAllTextAsync(ArchiveFile(name, "privkey", version), cancellationToken));
        var fullChain = await File.ReadAllTextAsync(ArchiveFile(name, "fullchain", version), cancellationToken);
        if (!string.Equals(fullChain.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd() + "\n", material.FullChainPem, StringComparison.Ordinal))
        {
            throw new CertificateMaterialException(name, $"{ArchiveFile(name, "fullchain", version)} is not cert{version}.pem followed by chain{version}.pem; refusing to make it live.");
        }

        return material;
    }

    private StoredVersion DescribeVersion(string name, int version, LineageMarker? marker, VerifiedCertificate? verified)
    {
        var certificatePath = ArchiveFile(name, "cert", version);
        string serial;
        DateTimeOffset notAfter;
        if (verified is not null)
        {
            (serial, notAfter) = (verified.Serial, verified.NotAfter);
        }
        else
        {
            using var certificate = LoadFirstCertificate(name, certificatePath);
            (serial, notAfter) = (certificate.SerialNumber.ToLowerInvariant(), new DateTimeOffset(certificate.NotAfter.ToUniversalTime()));
        }

        return new StoredVersion(
            name,
            version,
            IsCertbotVersion: !IsOwnVersion(name, marker, version),
            certificatePath,
            ArchiveFile(name, "chain", version),
            ArchiveFile(name, "fullchain", version),
            ArchiveFile(name, "privkey", version),
            serial,
            notAfter);
    }

    private static X509Certificate2 LoadFirstCertificate(string name, string path)
    {
        var pem = File.ReadAllText(path);
        if (!PemEncoding.TryFind(pem, out var fields))
        {
            throw new CertificateStoreException(name, $"{path} holds no PEM certificate.");
        }

        return X509CertificateLoader.LoadCertificate(Convert.FromBase64String(pem[fields.Base64Data]));
    }

    // ---- plumbing ------------------------------------------------------------------------------------------

    private async Task<LineageLock> AcquireLockAsync(string name, CancellationToken cancellationToken) =>
        await LineageLock.AcquireAsync(name, Path.Combine(_metaRoot, name + ".lock"), _options.LockTimeout, _timeProvider, cancellationToken);

    /// <summary>
    /// Creates <c>archive/</c>, <c>live/</c> and <c>.certdaemon/</c> 0700 when missing. Existing <c>live/</c> and
    /// <c>archive/</c> keep the mode and group the operator gave them (a warning when group or others may write);
    /// <c>.certdaemon/</c> is tightened.
    /// </summary>
    private void EnsureRoots(string name)
    {
        try
        {
            if (!Directory.Exists(_root))
            {
                Directory.CreateDirectory(_root, PrivateDirectoryMode | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }

            foreach (var directory in new[] { _archiveRoot, _liveRoot, _metaRoot })
            {
                if (!Directory.Exists(directory))
                {
                    _fileSystem.CreateDirectory(directory, PrivateDirectoryMode);
                    _fileSystem.SyncDirectory(_root);
                    continue;
                }

                var mode = File.GetUnixFileMode(directory);
                if (directory == _metaRoot && (mode & GroupOrOther) != 0)
                {
                    // CertDaemon's own bookkeeping: nobody else has a reason to read it.
                    File.SetUnixFileMode(directory, mode & ~GroupOrOther);
                    StorageLog.PermissionsTightened(_logger, directory, mode, mode & ~GroupOrOther);
                }
                else if (directory != _metaRoot && OperatorPermissions.IsLooserThanExpected(mode))
                {
                    // live/ and archive/ are the operator's: readers may depend on their mode. The keys carry the protection.
                    StorageLog.DirectoryWritableByOthers(_logger, directory, mode);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CertificateStoreException(name, $"Preparing {_root} for '{name}' failed: {e.Message}. The live set is unchanged.", e);
        }
    }

    private void SyncIfExists(string directory)
    {
        if (Directory.Exists(directory))
        {
            _fileSystem.SyncDirectory(directory);
        }
    }

    private static bool IsSymbolicLink(string path) => new FileInfo(path).LinkTarget is not null;

    private static string DescribeLive(LiveState live) => live.Version is { } v ? $"version {v}" : "no version was live";

    private string ArchiveDirectory(string name) => Path.Combine(_archiveRoot, name);

    private string ArchiveFile(string name, string part, int version) =>
        Path.Combine(_archiveRoot, name, part + version.ToString(CultureInfo.InvariantCulture) + ".pem");

    private string VersionDirectory(string name, int version) =>
        Path.Combine(_liveRoot, "." + name + ".v" + version.ToString(CultureInfo.InvariantCulture));

    private string PartialVersionDirectory(string name, int version) => VersionDirectory(name, version) + ".partial";

    private string NextLinkPath(string name) => Path.Combine(_liveRoot, "." + name + ".next");

    private string JournalPath(string name) => Path.Combine(_metaRoot, name + ".switch.json");

    private string LineageMarkerPath(string name) => Path.Combine(_metaRoot, name + ".lineage.json");

    private enum LiveKind
    {
        Missing,
        Link,
        CertbotDirectory,
        Unknown,
    }

    private sealed record LiveState(LiveKind Kind, int? Version)
    {
        public bool IsLink => Kind == LiveKind.Link;

        public bool IsCertbotDirectory => Kind == LiveKind.CertbotDirectory;
    }
}
