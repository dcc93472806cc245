namespace CertDaemon.Storage;

/// <summary>
/// Serializes the runs on one certificate (obtain → commit → deploy → record, and delete): on one machine a lock file
/// (<see cref="LocalCertificateLock"/>); a lock across machines is another implementation of the same contract.
/// </summary>
/// <remarks>
/// Obligations of every implementation:
/// <list type="bullet">
/// <item><b>Exclusive per name.</b> While a handle for a name is held, no other holder (this process or another) gets
/// one for the same name. Different names never wait for each other.</item>
/// <item><b>Waits, then fails loudly.</b> <see cref="AcquireAsync"/> waits for the current holder up to the
/// implementation's timeout, then throws <see cref="CertificateStoreException"/> naming the certificate; it honours
/// cancellation while waiting.</item>
/// <item><b>Never stale after a crash.</b> A holder that dies releases the lock (the kernel closes a lock file; a
/// lease expires), so a crashed run never blocks the next one for longer than the lease time.</item>
/// <item><b>Loss is signalled, never silent.</b> When exclusivity can no longer be guaranteed (a lease that could not
/// be renewed in time), <see cref="ICertificateLockHandle.Lost"/> is cancelled <i>before</i> another holder can
/// acquire it, so the run stops before committing or deploying.</item>
/// </list>
/// </remarks>
internal interface ICertificateLock
{
    /// <summary>Waits until this process holds <paramref name="certificateName"/>; dispose the handle to release it.</summary>
    Task<ICertificateLockHandle> AcquireAsync(string certificateName, CancellationToken cancellationToken);
}

/// <summary>A held <see cref="ICertificateLock"/>. Disposing releases it; disposing twice is harmless.</summary>
internal interface ICertificateLockHandle : IDisposable
{
    /// <summary>
    /// Cancelled when exclusivity can no longer be guaranteed (see <see cref="ICertificateLock"/>). The lifecycle runs
    /// every step under this token, so a lost lock stops the run rather than letting two holders commit. A lock file
    /// is never lost: its token is <see cref="CancellationToken.None"/>.
    /// </summary>
    CancellationToken Lost { get; }

    /// <summary>
    /// A file this holder keeps exclusively locked (<c>flock</c>) while it holds the lock: another process that can
    /// take it knows the holder is gone. Work the run leaves outside this machine's memory (journaled challenge
    /// records) names this path as its owner, so recovery can tell a dead run's leftovers from a live run's values.
    /// </summary>
    string LivenessPath { get; }
}
