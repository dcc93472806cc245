using Microsoft.Extensions.Logging;

namespace CertDaemon.Storage;

/// <summary>
/// Points <c>live/NAME</c> at a version directory with one <c>rename(2)</c> (or, when <c>live/NAME</c> is still
/// certbot's real directory, one <c>renameat2(RENAME_EXCHANGE)</c>), journalled so a crash at any step is finished
/// or undone on the next start.
/// </summary>
/// <remarks>
/// <para>Contract of <see cref="SwitchAsync"/>, shared by a commit of a new version and a switch back to an old one:
/// the journal is written before anything else; the rename of <c>live/NAME</c> is the <b>commit point</b>. A failure
/// before it is undone (<see cref="UndoSwitch"/>) and surfaces as ONE <see cref="CertificateStoreException"/> naming
/// the step that failed (cancellation is rethrown after the undo); after it, the new set is live, the tail
/// (<see cref="FinishSwitch"/>) only logs its failures and the next start redoes it.</para>
/// <para>Callers hold the lineage lock.</para>
/// </remarks>
internal sealed class LiveSwitch(
    LineagePaths paths, LineageReader reader, LineageMetadata metadata, LineageRemoval removal, IStoreFileSystem fileSystem, ILogger logger)
{
    /// <summary>Runs one switch of <c>live/NAME</c> to <c>journal.Version</c>.</summary>
    /// <param name="name">The lineage.</param>
    /// <param name="journal">What is switched; written first, removed last.</param>
    /// <param name="live">What <c>live/NAME</c> was when the caller decided to switch.</param>
    /// <param name="operation">The subject of the error message ("Storing version 5 of 'a'").</param>
    /// <param name="prepare">Makes <c>live/.NAME.vN</c> (and, for a commit, its archive files) exist; reports each
    /// step it starts through its argument, so the error names it.</param>
    /// <param name="beforeUndo">Called with the error and the failed step before anything is undone; returns true
    /// when another writer took the version's number, so the undo must leave that version's files alone.</param>
    /// <param name="cancellationToken">Honoured up to the commit point.</param>
    /// <exception cref="CertificateStoreException">A step before the commit point failed; all of it was undone.</exception>
    public async Task SwitchAsync(
        string name,
        SwitchJournal journal,
        LiveState live,
        string operation,
        Func<Action<string>, Task> prepare,
        Func<Exception, string, Task<bool>>? beforeUndo,
        CancellationToken cancellationToken)
    {
        var step = $"write the switch journal {paths.Journal(name)}";
        var committed = false;
        try
        {
            await metadata.WriteJournalAsync(name, journal, cancellationToken);
            await prepare(s => step = s);
            committed = ReplaceLive(name, journal.Version, live, s => step = s);
        }
        catch (Exception e) when (!committed && e is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            if (beforeUndo is not null && await beforeUndo(e, step))
            {
                journal = journal with { NewVersion = false };
            }

            UndoSwitch(name, journal);
            if (e is OperationCanceledException)
            {
                throw;
            }

            throw new CertificateStoreException(
                name,
                $"{operation} failed while trying to {step}: {e.Message}. The live set is unchanged ({live.Describe()}).",
                e)
            {
                Step = step,
            };
        }

        FinishSwitch(name, journal);
        StorageLog.LiveSwitched(logger, name, journal.Version, live.Version);
    }

    /// <summary>Builds <c>live/.NAME.vN</c> complete under a temporary name, then renames it into place.</summary>
    public void BuildVersionDirectory(string name, int version, (UnixFileMode Mode, uint? Group) ownership, Action<string> setStep)
    {
        var partial = paths.PartialVersionDirectory(name, version);
        var final = paths.VersionDirectory(name, version);
        setStep($"create {partial}");
        fileSystem.DeleteDirectory(partial);
        fileSystem.CreateDirectory(partial, LineagePaths.PrivateDirectoryMode);
        if (ownership.Mode != LineagePaths.PrivateDirectoryMode || ownership.Group is not null)
        {
            // Readers of the previous live directory (group ssl-cert, mode 0755) must be able to enter this one.
            setStep($"set the mode and group of {partial}");
            fileSystem.SetOwnership(partial, ownership.Mode, ownership.Group);
        }

        foreach (var part in LineagePaths.Parts)
        {
            var link = Path.Combine(partial, part + ".pem");
            setStep($"create the symbolic link {link}");
            fileSystem.CreateSymbolicLink(link, LineagePaths.ArchiveLinkTarget(name, part, version));
        }

        setStep($"fsync {partial}");
        fileSystem.SyncDirectory(partial);
        setStep($"rename {partial} to {final}");
        fileSystem.Rename(partial, final);
        setStep($"fsync {paths.LiveRoot}");
        fileSystem.SyncDirectory(paths.LiveRoot);
    }

    /// <summary>
    /// Undoes a switch that did not reach its commit point: puts certbot's directory back if it was moved aside,
    /// removes the temporary link, and for a commit removes the new version's files. Failures are logged, never
    /// thrown: the caller is already reporting the original error, and the journal stays for the next start.
    /// </summary>
    /// <returns>The paths removed.</returns>
    public List<string> UndoSwitch(string name, SwitchJournal journal)
    {
        var removed = new List<string>();
        try
        {
            var live = reader.ReadLive(name);
            if (live.Kind == LiveKind.Missing && journal.PreviousVersion is { } previous)
            {
                var aside = paths.VersionDirectory(name, previous);
                if (journal.PreviousWasCertbotDirectory && Directory.Exists(aside) && !LineageReader.IsSymbolicLink(aside))
                {
                    // The two-rename fallback stopped between its renames: certbot's directory goes back in place.
                    fileSystem.Rename(aside, paths.Live(name));
                }
                else if (Directory.Exists(aside))
                {
                    fileSystem.CreateSymbolicLink(paths.NextLink(name), Path.GetFileName(aside));
                    fileSystem.Rename(paths.NextLink(name), paths.Live(name));
                }

                fileSystem.SyncDirectory(paths.LiveRoot);
                live = reader.ReadLive(name);
            }

            var next = paths.NextLink(name);
            if (LineageReader.IsSymbolicLink(next))
            {
                fileSystem.DeleteFile(next);
                removed.Add(next);
            }

            if (journal.NewVersion && live.Version != journal.Version)
            {
                removed.AddRange(removal.DiscardVersion(name, journal.Version));
            }

            fileSystem.DeleteFile(paths.Journal(name));
            fileSystem.SyncDirectory(paths.MetaRoot);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            StorageLog.CleanupFailed(logger, name, paths.Journal(name), e.Message);
        }

        return removed;
    }

    /// <summary>The tail of a switch past its commit point. Each step is retried on the next start if it fails.</summary>
    public void FinishSwitch(string name, SwitchJournal journal)
    {
        var step = "move certbot's previous live directory to its version slot";
        try
        {
            var next = paths.NextLink(name);
            if (Directory.Exists(next) && !LineageReader.IsSymbolicLink(next))
            {
                ParkCertbotDirectory(name, next);
            }

            step = $"fsync {paths.LiveRoot}";
            fileSystem.SyncDirectory(paths.LiveRoot);
            step = $"remove the switch journal {paths.Journal(name)}";
            fileSystem.DeleteFile(paths.Journal(name));
            fileSystem.SyncDirectory(paths.MetaRoot);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            StorageLog.PostSwitchStepFailed(logger, name, journal.Version, step, e.Message);
        }
    }

    /// <summary>Moves certbot's former live directory (swapped out by RENAME_EXCHANGE) to <c>.NAME.vK</c>, so rolling back to it works.</summary>
    public void ParkCertbotDirectory(string name, string directory)
    {
        var version = reader.ReadCertbotDirectoryVersion(name, directory);
        fileSystem.Rename(directory, paths.VersionDirectory(name, version));
        fileSystem.SyncDirectory(paths.LiveRoot);
    }

    /// <summary>Points <c>live/NAME</c> at version <paramref name="version"/>. Returns true once the commit point is passed.</summary>
    private bool ReplaceLive(string name, int version, LiveState live, Action<string> setStep)
    {
        var next = paths.NextLink(name);
        var livePath = paths.Live(name);
        if (live.Kind == LiveKind.Unknown)
        {
            throw new IOException($"{livePath} is neither CertDaemon's link nor certbot's directory; refusing to replace it");
        }

        setStep($"create the symbolic link {next}");
        fileSystem.DeleteFile(next);
        fileSystem.CreateSymbolicLink(next, Path.GetFileName(paths.VersionDirectory(name, version)));
        if (!live.IsCertbotDirectory)
        {
            setStep($"rename {next} over {livePath}");
            fileSystem.Rename(next, livePath);
            return true;
        }

        var certbotVersion = live.Version!.Value;
        var aside = paths.VersionDirectory(name, certbotVersion);
        if (Directory.Exists(aside))
        {
            throw new IOException($"{aside} already exists, so certbot's live directory cannot be kept there");
        }

        try
        {
            setStep($"exchange {next} with certbot's directory {livePath}");
            fileSystem.Exchange(next, livePath);
            return true;
        }
        catch (NotSupportedException e)
        {
            StorageLog.RenameExchangeUnsupported(logger, name, e.Message);
        }

        setStep($"move certbot's directory {livePath} to {aside}");
        fileSystem.Rename(livePath, aside);
        setStep($"rename {next} to {livePath}");
        fileSystem.Rename(next, livePath);
        return true;
    }
}
