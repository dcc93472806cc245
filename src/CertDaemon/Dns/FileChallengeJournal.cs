using System.Text.Json;
using CertDaemon.Storage;

namespace CertDaemon.Dns;

/// <summary>
/// <see cref="IChallengeJournal"/> in one JSON file, <c>StateDirectory/dns-journal.json</c> (mode 0600), replaced
/// atomically on every change. Every read-modify-write holds <c>locks/.dns-journal.lock</c> (a dot: no certificate lock can have that name) (<c>flock</c>), so processes
/// sharing the state directory (the daemon, CLI commands) never lose each other's entries.
/// </summary>
internal sealed class FileChallengeJournal : IChallengeJournal, IDisposable
{
    /// <summary>The file's name inside the state directory.</summary>
    public const string FileName = "dns-journal.json";

    /// <summary>How long an update waits for another process's update (they take milliseconds).</summary>
    private static readonly TimeSpan _fileLockTimeout = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(1, 1);

    public FileChallengeJournal(string stateDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stateDirectory);
        Path = System.IO.Path.Combine(stateDirectory, FileName);
        _lockPath = System.IO.Path.Combine(stateDirectory, "locks", ".dns-journal.lock");
    }

    private readonly string _lockPath;

    /// <summary>The journal file.</summary>
    public string Path { get; }

    public Task RecordPendingAsync(IReadOnlyCollection<ChallengeJournalEntry> entries, CancellationToken cancellationToken) =>
        UpdateAsync(current =>
        {
            var keys = current.Select(e => e.EntryKey).ToHashSet();
            return [.. current, .. entries.Where(e => keys.Add(e.EntryKey))];
        }, cancellationToken);

    public Task RemoveAsync(IReadOnlyCollection<ChallengeJournalEntry> entries, CancellationToken cancellationToken)
    {
        var keys = entries.Select(e => e.EntryKey).ToHashSet();
        return UpdateAsync(current => [.. current.Where(e => !keys.Contains(e.EntryKey))], cancellationToken);
    }

    public async Task<IReadOnlyList<ChallengeJournalEntry>> ListAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await ReadAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task UpdateAsync(Func<IReadOnlyList<ChallengeJournalEntry>, IReadOnlyList<ChallengeJournalEntry>> change, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // The mode applies only to the last directory created; the state directory itself must be created private
            // first, or a missing StateDirectory would appear with the umask's 0755.
            const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            var locks = System.IO.Path.GetDirectoryName(_lockPath)!;
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(locks)!, Private);
            Directory.CreateDirectory(locks, Private);
            using var fileLock = await LineageLock.AcquireAsync(FileName, _lockPath, _fileLockTimeout, TimeProvider.System, cancellationToken);
            var current = await ReadAsync(cancellationToken);
            var next = change(current);
            if (next.Count == current.Count && next.SequenceEqual(current))
            {
                return;
            }

            if (next.Count == 0)
            {
                // Nothing pending: remove the file rather than keep an empty one (absent and empty mean the same).
                File.Delete(Path);
                return;
            }

            var bytes = JsonSerializer.SerializeToUtf8Bytes(
                new ChallengeJournalDocument(ChallengeJournalDocument.CurrentVersion, next), DnsJsonContext.Default.ChallengeJournalDocument);
            await AtomicFile.WriteAsync(Path, bytes, UnixFileMode.UserRead | UnixFileMode.UserWrite, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IReadOnlyList<ChallengeJournalEntry>> ReadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        var bytes = await File.ReadAllBytesAsync(Path, cancellationToken);
        ChallengeJournalDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(bytes, DnsJsonContext.Default.ChallengeJournalDocument);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the DNS challenge journal '{Path}' is not valid JSON: {e.Message}", e);
        }

        if (document is null || document.Version != ChallengeJournalDocument.CurrentVersion)
        {
            throw new InvalidDataException($"the DNS challenge journal '{Path}' has an unknown format (version {document?.Version})");
        }

        return document.Entries ?? [];
    }
}
