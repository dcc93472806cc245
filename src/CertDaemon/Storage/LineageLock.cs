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

    public static async Task<LineageLock> AcquireAsync(string name, string path, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
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
            catch (IOException) when (timeProvider.GetElapsedTime(started) < timeout)
            {
                // Held by another process (or another operation of ours): wait for it. Anything else that keeps
                // failing surfaces with its own message once the timeout has passed.
                await Task.Delay(_pollInterval, timeProvider, cancellationToken);
            }
            catch (IOException e)
            {
                throw new CertificateStoreException(name, $"Certificate '{name}' is locked by another CertDaemon process (lock file {path}) and was not released within {timeout}: {e.Message}", e);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
