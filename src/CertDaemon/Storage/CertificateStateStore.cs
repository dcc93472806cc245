using System.Collections.Concurrent;
using System.Text.Json;
using CertDaemon.Kernel;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Storage;

/// <summary>
/// Per-certificate state as JSON files in <c>StateDirectory/certificates/NAME.json</c>, each replaced atomically with
/// <see cref="AtomicFile"/> so a crash leaves the old or the new state, never a torn file.
/// </summary>
/// <remarks>
/// <para>Modes: the state directory at most 0711 (others may pass through, never list it), <c>certificates/</c> at most
/// 2750 and its files 0640. State holds no secret (serials, dates, ARNs, errors), so a monitoring user can be let in
/// through the group of <c>certificates/</c> (set-group-ID, so new files inherit it) to run <c>status</c> and
/// <c>metrics</c>; the account key and locks live in other, private directories. Wider modes are tightened.</para>
/// </remarks>
/// <remarks>
/// Updates of one certificate are serialised within this process (<see cref="UpdateAsync"/> reads, applies and
/// writes under a per-name lock). Across processes the last writer wins; the CLI only writes state for the
/// certificate it is working on, under the certificate store's lineage lock.
/// </remarks>
internal sealed class CertificateStateStore
{
    private const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>The most the state directory may allow: others pass through to <c>certificates/</c>, nothing else.</summary>
    private const UnixFileMode StateDirectoryMaximum = PrivateDirectoryMode | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>The most <c>certificates/</c> may allow: its group (the monitoring users') lists and reads it.</summary>
    private const UnixFileMode CertificatesDirectoryMaximum = PrivateDirectoryMode | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.SetGroup;

    private const UnixFileMode StateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    private readonly string _stateDirectory;
    private readonly string _certificatesDirectory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly IStoreFileSystem _fileSystem;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    /// <param name="stateDirectory">The configured <c>StateDirectory</c>, e.g. <c>/var/lib/certdaemon</c>.</param>
    /// <param name="timeProvider">Stamps <see cref="CertificateState.UpdatedAt"/>.</param>
    /// <param name="logger">Storage events.</param>
    public CertificateStateStore(string stateDirectory, TimeProvider timeProvider, ILogger logger)
        : this(stateDirectory, timeProvider, logger, LinuxFileSystem.Instance)
    {
    }

    internal CertificateStateStore(string stateDirectory, TimeProvider timeProvider, ILogger logger, IStoreFileSystem fileSystem)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        _stateDirectory = Path.GetFullPath(stateDirectory);
        _certificatesDirectory = Path.Combine(_stateDirectory, "certificates");
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _fileSystem = fileSystem;
    }

    /// <summary>The file holding <paramref name="name"/>'s state.</summary>
    public string PathOf(string name)
    {
        CertificateName.Validate(name);
        return Path.Combine(_certificatesDirectory, name + ".json");
    }

    /// <summary>The newest state file format this version reads (<see cref="CertificateState.SchemaVersion"/>).</summary>
    public const int SupportedSchemaVersion = 1;

    /// <summary>
    /// Rebuilds a certificate's state from what is live on disk, for a state file that had to be set aside; null
    /// (the default) or a null answer leaves a fresh state (the certificate then counts as missing).
    /// </summary>
    public Func<string, CertificateState?>? RebuildFromLiveFiles { get; init; }

    /// <summary>
    /// The state of <paramref name="name"/>, or null when none was ever saved. A file that is not valid state
    /// (truncated, <c>null</c>, <c>{}</c>, wrong types, another certificate's) is set aside as
    /// <c>NAME.json.corrupt-TIMESTAMP</c> (kept for inspection, reported once), and the state is rebuilt from the live
    /// files (<see cref="RebuildFromLiveFiles"/>) with <see cref="CertificateState.LastError"/> saying so.
    /// </summary>
    /// <exception cref="CertificateStoreException">The file was written by a newer CertDaemon (a schema this one does
    /// not know): refused, left untouched.</exception>
    public async Task<CertificateState?> LoadAsync(string name, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        if (!File.Exists(path))
        {
            return null;
        }

        string problem;
        try
        {
            // A read of a few hundred bytes from a local file: synchronously, without a thread-pool hop per
            // certificate (status over 100 certificates spent more time handing reads between threads than reading).
            cancellationToken.ThrowIfCancellationRequested();
            var bytes = File.ReadAllBytes(path);
            var state = JsonSerializer.Deserialize(bytes, StorageJsonContext.Default.CertificateState);
            problem = state switch
            {
                null => "it holds null",
                { SchemaVersion: > SupportedSchemaVersion } => throw new CertificateStoreException(name,
                    $"The state file {path} was written by a newer CertDaemon (schema {state.SchemaVersion}; this version reads up to {SupportedSchemaVersion}): " +
                    "run the newer CertDaemon, or move the file aside to let this one rebuild it from the live files."),
                _ when !string.Equals(state.Name, name, StringComparison.Ordinal) => $"it names certificate '{state.Name}'",
                _ when state.History is null || state.Targets is null || state.Domains is null => "a list in it is null",
                _ => "",
            };
            if (problem.Length == 0)
            {
                return state;
            }
        }
        catch (JsonException e)
        {
            problem = e.Message;
        }

        return await SetAsideAsync(name, path, problem, cancellationToken);
    }

    private async Task<CertificateState> SetAsideAsync(string name, string path, string problem, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var aside = $"{path}.corrupt-{now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}";
        var rebuilt = (RebuildFromLiveFiles?.Invoke(name) ?? new CertificateState { Name = name }) with
        {
            LastError = new StateError($"the state file was unreadable ({problem}); kept as {aside} and rebuilt from the live files", now, "state"),
        };
        try
        {
            File.Move(path, aside);
        }
        catch (FileNotFoundException)
        {
            // Another caller set it aside first and saves the rebuilt state.
            return await LoadAsync(name, cancellationToken) ?? rebuilt;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only state directory: the rebuilt state still serves this run; the file stays for the next one.
            StorageLog.StateUnreadable(_logger, name, path, problem + "; could not set it aside: " + e.Message);
            return rebuilt;
        }

        StorageLog.StateSetAside(_logger, name, path, aside, problem);
        try
        {
            _fileSystem.SyncDirectory(_certificatesDirectory);
            return await SaveCoreAsync(rebuilt, cancellationToken);
        }
        catch (Exception e) when (e is IOException or CertificateStoreException)
        {
            StorageLog.StateUnreadable(_logger, name, path, "the rebuilt state could not be saved: " + e.Message);
            return rebuilt;
        }
    }

    /// <summary>Saves <paramref name="state"/> atomically, stamping <see cref="CertificateState.UpdatedAt"/>.</summary>
    /// <returns>The state as saved.</returns>
    /// <exception cref="CertificateStoreException">Writing failed; the previous file is intact.</exception>
    public async Task<CertificateState> SaveAsync(CertificateState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var gate = _locks.GetOrAdd(state.Name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await SaveCoreAsync(state, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Loads the state of <paramref name="name"/> (a fresh one when none exists), applies <paramref name="update"/>
    /// and saves the result, serialised with other updates of the same name in this process.
    /// </summary>
    /// <returns>The state as saved.</returns>
    public async Task<CertificateState> UpdateAsync(string name, Func<CertificateState, CertificateState> update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        CertificateName.Validate(name);
        var gate = _locks.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var current = await LoadAsync(name, cancellationToken) ?? new CertificateState { Name = name };
            var updated = update(current);
            if (!string.Equals(updated.Name, name, StringComparison.Ordinal))
            {
                throw new ArgumentException($"The update renamed the state of '{name}' to '{updated.Name}'.", nameof(update));
            }

            return await SaveCoreAsync(updated, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Names of every certificate with a state file, sorted.</summary>
    public IReadOnlyList<string> ListNames() =>
        Directory.Exists(_certificatesDirectory)
            ? Directory.EnumerateFiles(_certificatesDirectory, "*.json")
                .Select(Path.GetFileNameWithoutExtension)
                .OfType<string>()
                .Where(n => CertificateName.Problem(n) is null)
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];

    /// <summary>Removes the state of <paramref name="name"/> (for <c>certdaemon delete</c>); nothing when absent.</summary>
    public Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = PathOf(name);
        if (File.Exists(path))
        {
            _fileSystem.DeleteFile(path);
            _fileSystem.SyncDirectory(_certificatesDirectory);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Checks that <paramref name="name"/>'s state can be saved (the directories exist or can be created, and a file
    /// can be created beside the state file) without touching the state file itself, so a caller that does not hold
    /// the certificate's run lock can ask before spending anything it could not record.
    /// </summary>
    /// <exception cref="CertificateStoreException">The state could not be saved; nothing was changed.</exception>
    public Task EnsureWritableAsync(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var path = PathOf(name);
        try
        {
            EnsureDirectory(_stateDirectory, StateDirectoryMaximum);
            EnsureDirectory(_certificatesDirectory, CertificatesDirectoryMaximum);
            // Named like an atomic write's temporary file, so one left by a crash is removed on the next start.
            var probe = Path.Combine(_certificatesDirectory, $".{name}.json{AtomicFile.TemporaryMarker}probe-{Guid.NewGuid():N}");
            using (new FileStream(probe, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.DeleteOnClose, UnixCreateMode = StateFileMode,
            }))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CertificateStoreException(name, $"Saving the state of '{name}' to {path} is not possible: {e.Message}. The previous state file is intact.", e);
        }

        return Task.CompletedTask;
    }

    /// <summary>Removes temporary files a crash left behind; call once on start.</summary>
    public IReadOnlyList<string> DeleteStaleTemporaryFiles() =>
        AtomicFile.DeleteStaleTemporaryFiles(_fileSystem, _certificatesDirectory);

    /// <summary>
    /// Removes the temporary files of <paramref name="name"/>'s state written before <paramref name="olderThan"/> ago:
    /// for a command that may run beside the daemon. State is written outside any lock other processes honour, so a
    /// younger temporary file may be another process's write in progress (a write takes milliseconds); an old one
    /// was left by a process that died.
    /// </summary>
    public IReadOnlyList<string> DeleteStaleTemporaryFiles(string name, TimeSpan olderThan)
    {
        var prefix = "." + Path.GetFileName(PathOf(name)) + AtomicFile.TemporaryMarker;
        if (!Directory.Exists(_certificatesDirectory))
        {
            return [];
        }

        var before = _timeProvider.GetUtcNow() - olderThan;
        var removed = new List<string>();
        foreach (var file in new DirectoryInfo(_certificatesDirectory).EnumerateFiles(prefix + "*"))
        {
            if (file.LastWriteTimeUtc < before.UtcDateTime)
            {
                _fileSystem.DeleteFile(file.FullName);
                removed.Add(file.FullName);
            }
        }

        return removed;
    }

    private async Task<CertificateState> SaveCoreAsync(CertificateState state, CancellationToken cancellationToken)
    {
        var path = PathOf(state.Name);
        var saved = state with { UpdatedAt = _timeProvider.GetUtcNow() };
        try
        {
            EnsureDirectory(_stateDirectory, StateDirectoryMaximum);
            EnsureDirectory(_certificatesDirectory, CertificatesDirectoryMaximum);
            var bytes = JsonSerializer.SerializeToUtf8Bytes(saved, StorageJsonContext.Default.CertificateState);
            await AtomicFile.WriteAsync(_fileSystem, path, bytes, StateFileMode, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var left = e is FileNotDurableException ? "The new state is in place but may not survive a power loss." : "The previous state file is intact.";
            throw new CertificateStoreException(state.Name, $"Saving the state of '{state.Name}' to {path} failed: {e.Message}. {left}", e);
        }

        return saved;
    }

    private void EnsureDirectory(string directory, UnixFileMode maximum)
    {
        if (!Directory.Exists(directory))
        {
            _fileSystem.CreateDirectory(directory, PrivateDirectoryMode);
            var parent = Path.GetDirectoryName(directory);
            if (parent is not null && Directory.Exists(parent))
            {
                _fileSystem.SyncDirectory(parent);
            }

            return;
        }

        var mode = File.GetUnixFileMode(directory);
        if ((mode & ~maximum) != 0)
        {
            File.SetUnixFileMode(directory, mode & maximum);
            StorageLog.PermissionsTightened(_logger, directory, mode, mode & maximum);
        }
    }
}
