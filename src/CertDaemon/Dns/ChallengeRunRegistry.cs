using System.Collections.Concurrent;

namespace CertDaemon.Dns;

/// <summary>
/// Tells live challenge runs from dead ones, so recovery removes only values whose owning run is gone. One instance
/// per process (the composition root's singleton).
/// </summary>
/// <remarks>
/// A run is live while it holds its lock file (<see cref="ChallengeRunOwner.LockPath"/>, an exclusive <c>flock</c>
/// the kernel drops when the process dies). This process knows its own runs (<see cref="Begin"/>/<see cref="End"/>);
/// for any other owner the lock file itself is asked: if it can be taken, nobody holds it and the owner is dead.
/// The lock is then kept (<see cref="TryClaimDead"/>'s result) until the leftovers are removed, so the certificate's
/// next run cannot start publishing in between.
/// </remarks>
internal sealed class ChallengeRunRegistry
{
    private readonly ConcurrentDictionary<string, string> _runsByLock = new(StringComparer.Ordinal);

    /// <summary>Registers a run of this process that holds <paramref name="lockPath"/> from now until <see cref="End"/>.</summary>
    public ChallengeRunOwner Begin(string lockPath)
    {
        var owner = new ChallengeRunOwner(Guid.NewGuid().ToString("N"), Path.GetFullPath(lockPath));
        _runsByLock[owner.LockPath] = owner.RunId;
        return owner;
    }

    /// <summary>Forgets a run of this process (before its lock is released).</summary>
    public void End(ChallengeRunOwner owner) =>
        _runsByLock.TryRemove(KeyValuePair.Create(owner.LockPath, owner.RunId));

    /// <summary>
    /// A claim on <paramref name="owner"/>'s leftovers when that run is dead (dispose it once they are removed), or
    /// <see langword="null"/> while the run is live. An entry without an owner is from a journal older than run
    /// ownership and counts as dead.
    /// </summary>
    public IDisposable? TryClaimDead(ChallengeRunOwner? owner)
    {
        if (owner is null)
        {
            return NoClaim.Instance;
        }

        if (_runsByLock.TryGetValue(owner.LockPath, out var liveRun))
        {
            // This process holds the lock: the owner is live exactly when it is the run holding it now.
            return liveRun == owner.RunId ? null : NoClaim.Instance;
        }

        try
        {
            return new FileStream(owner.LockPath, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.ReadWrite, Share = FileShare.None });
        }
        catch (FileNotFoundException)
        {
            return NoClaim.Instance;
        }
        catch (DirectoryNotFoundException)
        {
            return NoClaim.Instance;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Held by another process (or another operation of this one): the owner may be live; leave its values.
            return null;
        }
    }

    private sealed class NoClaim : IDisposable
    {
        public static readonly NoClaim Instance = new();

        public void Dispose()
        {
            // Nothing was taken: the owner's lock is held by a newer run of this process, or there is none.
        }
    }
}
