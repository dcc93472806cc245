namespace CertDaemon.Storage;

/// <summary>
/// An exclusive lock on one lineage, held by an open lock file (<c>flock</c>, which .NET takes for
/// <see cref="FileShare.None"/>), so the daemon and a CLI command never work on the same certificate at once.
/// The kernel releases it when the process dies, so a crash never leaves a stale lock.
/// </summary>
internal sealed class LineageLock : IDisposable
{
    private static readonly TimeSpan _pollInterval = TimeSpan.FromMilliseconds(50);
    private readonly FileStream _stream;

    private LineageLock(FileStream stream) => _stream = stream;

    /// <param name="onContention">Called once, when the lock is found held and the wait begins.</param>
    public static async Task<LineageLock> AcquireAsync(
        string name, string path, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken, Action? onContention = null)
    {
        var started = timeProvider.GetTimestamp();
        var waiting = false;
        while (true)
        {
            try
            {
                return new LineageLock(new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.OpenOrCreate,
                    Access = FileAccess.ReadWrite,
                    Share = FileShare.None,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                }));
            }
            catch (IOException e) when (!IsContention(e))
            {
                // Not contention: the lock file cannot be opened at all (read-only or full file system). Waiting
                // would not help, and calling it "locked" would send the operator looking for another process.
                throw new CertificateStoreException(name, $"The lock file {path} of '{name}' could not be opened: {e.Message}", e);
            }
            catch (IOException) when (timeProvider.GetElapsedTime(started) < timeout)
            {
                // Held by another process (or another operation of ours): wait for it.
                if (!waiting)
                {
                    waiting = true;
                    onContention?.Invoke();
                }

                await Task.Delay(_pollInterval, timeProvider, cancellationToken);
            }
            catch (IOException e)
            {
                throw new LockHeldException(name, $"Certificate '{name}' is locked by another CertDaemon process (lock file {path}) and was not released within {timeout}: {e.Message}", e);
            }
        }
    }

    /// <summary>
    /// Whether opening failed only because another holder has the lock: .NET reports a refused <c>flock</c> as a
    /// sharing violation carrying <c>EWOULDBLOCK</c> (11 on Linux) as its HResult; every other error (read-only or
    /// full file system, a missing directory) carries its own errno.
    /// </summary>
    private static bool IsContention(IOException e) => e.HResult == EWouldBlock;

    private const int EWouldBlock = 11;

    /// <summary>What the last holder wrote into the lock file with <see cref="WriteNote"/>; empty when nothing.</summary>
    public string ReadNote()
    {
        _stream.Position = 0;
        using var reader = new StreamReader(_stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        return reader.ReadToEnd();
    }

    /// <summary>Replaces the lock file's content with <paramref name="note"/>, for the next holder to read.</summary>
    public void WriteNote(string note)
    {
        _stream.SetLength(0);
        _stream.Position = 0;
        _stream.Write(System.Text.Encoding.UTF8.GetBytes(note));
        _stream.Flush(flushToDisk: true);
    }

    public void Dispose() => _stream.Dispose();
}
