using System.Collections.Concurrent;
using CertDaemon.Storage;

namespace CertDaemon.Dns;

/// <summary>
/// Serialises read-modify-write of one hosted zone's TXT sets between every solver of this process and every
/// process sharing the state directory (<c>StateDirectory/locks/.route53-zone-ID.lock</c>, a dot so that no certificate lock shares it, <c>flock</c>). Route53 replaces
/// a record set whole and has no conditional writes, so two writers reading the same set at once would each drop the
/// other's new value.
/// </summary>
internal sealed class ZoneWriteLocks(string stateDirectory)
{
    /// <summary>How long a write waits for another writer of the zone (each holds it for one read and one change).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    /// <summary>Holds <paramref name="zoneId"/> for this process and across processes until disposed.</summary>
    public async Task<IDisposable> AcquireAsync(string zoneId, TimeProvider time, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(zoneId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var directory = Path.Combine(stateDirectory, "locks");
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var path = Path.Combine(directory, ".route53-zone-" + string.Concat(zoneId.Split(Path.GetInvalidFileNameChars())) + ".lock");
            var fileLock = await LineageLock.AcquireAsync("route53 zone " + zoneId, path, Timeout, time, cancellationToken);
            return new Held(gate, fileLock);
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    private sealed class Held(SemaphoreSlim gate, IDisposable fileLock) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                fileLock.Dispose();
                gate.Release();
            }
        }
    }
}
