namespace CertDaemon.Hosting;

/// <summary>Another daemon holds the state directory's daemon lock (<see cref="DaemonInstanceLock"/>).</summary>
internal sealed class DaemonAlreadyRunningException : Exception
{
    public DaemonAlreadyRunningException(string lockPath, int? pid, Exception innerException)
        : base($"another certdaemon daemon is running on this state directory: {lockPath} is held by {(pid is { } p ? $"pid {p}" : "a process whose pid is unknown")}. "
            + "Stop it first (systemctl stop certdaemon), or give this one another StateDirectory.", innerException)
    {
        LockPath = lockPath;
        Pid = pid;
    }

    public DaemonAlreadyRunningException()
    {
        LockPath = "";
    }

    public DaemonAlreadyRunningException(string message)
        : base(message)
    {
        LockPath = "";
    }

    public DaemonAlreadyRunningException(string message, Exception innerException)
        : base(message, innerException)
    {
        LockPath = "";
    }

    /// <summary>The lock file.</summary>
    public string LockPath { get; }

    /// <summary>The holder's pid, when it could be read.</summary>
    public int? Pid { get; }
}
