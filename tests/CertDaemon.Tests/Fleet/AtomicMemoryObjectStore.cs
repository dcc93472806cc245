using System.Globalization;
using CertDaemon.Fleet;

namespace CertDaemon.Tests.Fleet;

/// <summary>
/// An <see cref="IFleetObjectStore"/> whose conditional writes are truly atomic (one gate around check and write),
/// as S3's are: moto checks conditions but is not atomic under concurrency, so races are proven against this.
/// Counts requests by kind so tests can pin how many a check costs.
/// </summary>
internal sealed class AtomicMemoryObjectStore : IFleetObjectStore
{
    private readonly Dictionary<string, (byte[] Content, string ETag, bool Secret)> _objects = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private int _version;
    private int _gets;
    private int _puts;
    private int _notModified;

    public string Location => "memory://fleet/";

    /// <summary>When set, every request throws <see cref="FleetStoreException"/> (the store is unreachable).</summary>
    public bool Unreachable { get; set; }

    public int Gets => Volatile.Read(ref _gets);

    public int Puts => Volatile.Read(ref _puts);

    /// <summary>Reads answered "not modified" (no body): what a conditional GET with a current ETag costs.</summary>
    public int NotModifiedAnswers => Volatile.Read(ref _notModified);

    /// <summary>Delay inside the lock between the condition check and the write, to widen race windows.</summary>
    public TimeSpan WriteDelay { get; set; }

    public Task<FleetRead> GetAsync(string key, string? ifNoneMatch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _gets);
        ThrowIfUnreachable(key);
        lock (_gate)
        {
            if (!_objects.TryGetValue(key, out var found))
            {
                return Task.FromResult<FleetRead>(new FleetRead.Missing());
            }

            if (ifNoneMatch == found.ETag)
            {
                Interlocked.Increment(ref _notModified);
                return Task.FromResult<FleetRead>(new FleetRead.NotModified());
            }

            return Task.FromResult<FleetRead>(new FleetRead.Found([.. found.Content], found.ETag));
        }
    }

    public async Task<FleetWrite> PutAsync(string key, ReadOnlyMemory<byte> content, FleetWriteCondition condition, bool secret, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _puts);
        ThrowIfUnreachable(key);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            (byte[] Content, string ETag, bool Secret) current;
            bool exists;
            lock (_gate)
            {
                exists = _objects.TryGetValue(key, out current);
            }

            if ((condition.MustBeAbsent && exists) || (condition.IfMatch is { } etag && (!exists || current.ETag != etag)))
            {
                return new FleetWrite.ConditionFailed();
            }

            if (WriteDelay > TimeSpan.Zero)
            {
                await Task.Delay(WriteDelay, cancellationToken);
            }

            lock (_gate)
            {
                var next = "\"" + (++_version).ToString(CultureInfo.InvariantCulture) + "\"";
                _objects[key] = (content.ToArray(), next, secret);
                return new FleetWrite.Written(next);
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        ThrowIfUnreachable(key);
        lock (_gate)
        {
            _objects.Remove(key);
        }

        return Task.CompletedTask;
    }

    public bool IsSecret(string key)
    {
        lock (_gate)
        {
            return _objects[key].Secret;
        }
    }

    private void ThrowIfUnreachable(string key)
    {
        if (Unreachable)
        {
            throw new FleetStoreException($"Could not reach {Location}{key}: connection refused.");
        }
    }
}
