using Microsoft.Extensions.Logging;

namespace CertDaemon.Storage;

/// <summary>
/// <see cref="ICertificateLock"/> for the processes of one machine: an exclusive lock file
/// <c>StateDirectory/locks/NAME.lock</c> (a CLI <c>issue</c> waits for the daemon's run, and the other way round).
/// </summary>
/// <param name="stateDirectory">The daemon's state directory; <c>locks/</c> is created private (0700) when missing.</param>
/// <param name="timeout">How long <see cref="AcquireAsync"/> waits for another run on the same certificate.</param>
/// <param name="logger">Tells the operator when a run waits for another one (<c>CertificateLockWaiting</c>).</param>
internal sealed class LocalCertificateLock(string stateDirectory, TimeSpan timeout, TimeProvider time, ILogger? logger = null) : ICertificateLock
{
    /// <summary>How long a run waits by default: longer than any issuance (DNS propagation included) should take.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(15);

    public LocalCertificateLock(string stateDirectory, TimeProvider time, ILogger? logger = null)
        : this(stateDirectory, DefaultTimeout, time, logger)
    {
    }

    public async Task<ICertificateLockHandle> AcquireAsync(string certificateName, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(stateDirectory, "locks");
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = Path.Combine(directory, certificateName + ".lock");
        var fileLock = await LineageLock.AcquireAsync(
            certificateName, path, timeout, time, cancellationToken,
            logger is null ? null : () => StorageLog.CertificateLockWaiting(logger, certificateName, Path.GetFullPath(path), timeout));
        return new Handle(fileLock, Path.GetFullPath(path));
    }

    private sealed class Handle(LineageLock fileLock, string path) : ICertificateLockHandle
    {
        public CancellationToken Lost => CancellationToken.None;

        public string LivenessPath => path;

        public void Dispose() => fileLock.Dispose();
    }
}
