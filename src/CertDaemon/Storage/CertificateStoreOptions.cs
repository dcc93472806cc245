namespace CertDaemon.Storage;

/// <summary>How the certificate store behaves.</summary>
internal sealed record CertificateStoreOptions
{
    /// <summary>
    /// How many of CertDaemon's own versions to keep per certificate, newest first; the live version is kept in
    /// addition when it is older (after a rollback). certbot's versions are never removed. Minimum 1.
    /// The default value is 5.
    /// </summary>
    public int KeepVersions { get; init; } = 5;

    /// <summary>
    /// How long an operation waits for another process (a CLI command next to the daemon) to release the
    /// certificate's lock before failing. The default value is 30 seconds.
    /// </summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
