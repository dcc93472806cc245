using System.Globalization;
using System.Text;
using CertDaemon.Storage;

namespace CertDaemon.Hosting;

/// <summary>
/// One daemon per state directory: <c>StateDirectory/locks/.daemon.lock</c>, held (<c>flock</c>) for the daemon's
/// whole life, with the holder's pid in <c>locks/.daemon.pid</c> for the message a second daemon prints. Two daemons on
/// one state directory would each schedule every certificate and renew it twice.
/// </summary>
/// <remarks>The kernel releases the lock when the process dies, so a crash never leaves a stale lock; a stale pid
/// file only ever appears in the message of a process that found the lock held.</remarks>
internal sealed class DaemonInstanceLock : IDisposable
{
    private readonly LineageLock _lock;

    private DaemonInstanceLock(LineageLock fileLock) => _lock = fileLock;

    /// <summary>
    /// The lock file of <paramref name="stateDirectory"/>. Its name starts with a dot, which no certificate name can
    /// (their locks are <c>locks/NAME.lock</c>): a certificate named <c>daemon</c> must not share the daemon's lock.
    /// </summary>
    public static string LockPath(string stateDirectory) => Path.Combine(stateDirectory, "locks", ".daemon.lock");

    /// <summary>The file naming the holder's pid.</summary>
    public static string PidPath(string stateDirectory) => Path.Combine(stateDirectory, "locks", ".daemon.pid");

    /// <summary>Takes the lock without waiting.</summary>
    /// <exception cref="DaemonAlreadyRunningException">Another process holds it; the message names the lock and the pid.</exception>
    /// <exception cref="CertificateStoreException">The lock file cannot be opened at all (read-only or full file system).</exception>
    public static async Task<DaemonInstanceLock> AcquireAsync(string stateDirectory, TimeProvider time, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(stateDirectory, "locks");
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = LockPath(stateDirectory);
        LineageLock fileLock;
        try
        {
            fileLock = await LineageLock.AcquireAsync("daemon", path, TimeSpan.Zero, time, cancellationToken);
        }
        catch (LockHeldException e)
        {
            throw new DaemonAlreadyRunningException(path, ReadPid(stateDirectory), e);
        }

        try
        {
            await AtomicFile.WriteAsync(
                PidPath(stateDirectory), Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"),
                UnixFileMode.UserRead | UnixFileMode.UserWrite, cancellationToken);
        }
        catch
        {
            fileLock.Dispose();
            throw;
        }

        return new DaemonInstanceLock(fileLock);
    }

    /// <summary>The pid the holder wrote, or null when the file is missing or unreadable.</summary>
    private static int? ReadPid(string stateDirectory)
    {
        try
        {
            return int.TryParse(File.ReadAllText(PidPath(stateDirectory)).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The holder may not have written it yet: the message then says the pid is unknown.
            return null;
        }
    }

    public void Dispose() => _lock.Dispose();
}
