using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Storage;

/// <summary>
/// CertDaemon's bookkeeping for a lineage in <c>.certdaemon/</c>: the lineage marker (where certbot's numbering ends
/// and which versions CertDaemon wrote, with their serials) and the switch journal (the switch in progress).
/// </summary>
/// <remarks>Both files are written with <see cref="AtomicFile"/> (0600), so a reader sees the old or the new content,
/// never a mix. Callers hold the lineage lock.</remarks>
internal sealed class LineageMetadata(LineagePaths paths, LineageReader reader, IStoreFileSystem fileSystem, ILogger logger)
{
    /// <summary>The lineage marker, or null when CertDaemon never wrote to this lineage.</summary>
    public LineageMarker? ReadLineageMarker(string name)
    {
        var path = paths.LineageMarker(name);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), StorageJsonContext.Default.LineageMarker)
                ?? throw new CertificateStoreException(name, $"{path} is empty");
        }
        catch (JsonException e)
        {
            // The store's own error, naming the file (a bare JsonException escaped status and the daemon's check).
            throw new CertificateStoreException(name, $"{path} is not a lineage marker CertDaemon can read: {e.Message}", e);
        }
    }

    /// <summary>
    /// The lineage marker; when there is none yet, adopts the lineage: CertDaemon's numbering starts above every
    /// version certbot left (recorded before CertDaemon's first file, so nothing below it is ever removed).
    /// </summary>
    public async Task<LineageMarker> LoadOrAdoptLineageAsync(string name, LiveState live, CancellationToken cancellationToken)
    {
        if (ReadLineageMarker(name) is { } marker)
        {
            return marker;
        }

        var archive = paths.ArchiveDirectory(name);
        if (!Directory.Exists(archive))
        {
            fileSystem.CreateDirectory(archive, LineagePaths.PrivateDirectoryMode);
            fileSystem.SyncDirectory(paths.ArchiveRoot);
        }

        var existing = reader.ArchiveVersions(name).Keys.Append(live.Version ?? 0).Max();
        var adopted = new LineageMarker(existing + 1, new Dictionary<int, string>());
        await WriteLineageMarkerAsync(name, adopted, cancellationToken);
        if (existing > 0)
        {
            StorageLog.CertbotLineageAdopted(logger, name, existing, adopted.FirstOwnVersion);
        }

        return adopted;
    }

    /// <summary>
    /// Records <paramref name="version"/> as CertDaemon's (with its serial) before its first file is written, so a
    /// crash leaves files recovery knows it may remove. Entries whose certificate is gone are dropped; a marker from
    /// before the list existed is converted (its version directories name CertDaemon's versions).
    /// </summary>
    public async Task<LineageMarker> RecordWrittenAsync(string name, LineageMarker marker, int version, string serial, CancellationToken cancellationToken)
    {
        var written = new Dictionary<int, string>();
        if (marker.Written is { } recorded)
        {
            foreach (var (existing, existingSerial) in recorded.Where(w => w.Key != version && File.Exists(paths.ArchiveFile(name, "cert", w.Key))))
            {
                written[existing] = existingSerial;
            }
        }
        else
        {
            foreach (var existing in reader.VersionDirectories(name).Where(v => v != version && reader.IsOwnVersion(name, marker, v)))
            {
                if (reader.CertificateSerialOf(name, existing) is { } existingSerial)
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
    public async Task ForgetWrittenAsync(string name, LineageMarker marker, int version)
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
            StorageLog.CleanupFailed(logger, name, paths.LineageMarker(name), e.Message);
        }
    }

    /// <summary>The journal of a switch that has not finished, or null.</summary>
    /// <exception cref="CertificateStoreException">The journal is not valid JSON (it was edited by hand).</exception>
    public SwitchJournal? ReadJournal(string name)
    {
        var path = paths.Journal(name);
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

    public Task WriteJournalAsync(string name, SwitchJournal journal, CancellationToken cancellationToken) =>
        AtomicFile.WriteAsync(
            fileSystem,
            paths.Journal(name),
            JsonSerializer.SerializeToUtf8Bytes(journal, StorageJsonContext.Default.SwitchJournal),
            LineagePaths.PrivateFileMode,
            cancellationToken);

    private Task WriteLineageMarkerAsync(string name, LineageMarker marker, CancellationToken cancellationToken) =>
        AtomicFile.WriteAsync(
            fileSystem, paths.LineageMarker(name), JsonSerializer.SerializeToUtf8Bytes(marker, StorageJsonContext.Default.LineageMarker), LineagePaths.PrivateFileMode, cancellationToken);
}
