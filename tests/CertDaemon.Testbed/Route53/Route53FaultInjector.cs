namespace CertDaemon.Testbed.Route53;

/// <summary>
/// Faults a test switches on while the emulator runs. Per request the emulator asks, in this order: the queue of next
/// faults (first entry whose operation matches), the token bucket (empty: Throttling), then the probabilities
/// (one draw each from the seeded random source, in declaration order). A fault is decided before the operation runs,
/// so a faulted ChangeResourceRecordSets never changes state (except <see cref="Route53Fault.DropConnectionAfterCommit"/>).
/// Thread-safe.
/// </summary>
public sealed class Route53FaultInjector
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private readonly LinkedList<(Route53Fault Fault, Route53Operation? Operation, string? HostedZoneId)> _queue = new();
    private Random _random;
    private TokenBucket? _bucket;
    private double _throttling;
    private double _priorRequestNotComplete;
    private double _internalError;
    private double _dropConnection;

    internal Route53FaultInjector(TimeProvider timeProvider, int seed)
    {
        _timeProvider = timeProvider;
        _random = new Random(seed);
    }

    /// <summary>Probability (0..1) that a request is answered Throttling. The default is 0.</summary>
    public double ThrottlingProbability { get => Get(ref _throttling); set => Set(ref _throttling, value); }

    /// <summary>Probability (0..1) of PriorRequestNotComplete. The default is 0.</summary>
    public double PriorRequestNotCompleteProbability { get => Get(ref _priorRequestNotComplete); set => Set(ref _priorRequestNotComplete, value); }

    /// <summary>Probability (0..1) of HTTP 500 InternalFailure. The default is 0.</summary>
    public double InternalErrorProbability { get => Get(ref _internalError); set => Set(ref _internalError, value); }

    /// <summary>Probability (0..1) that the connection is aborted without an answer. The default is 0.</summary>
    public double DropConnectionProbability { get => Get(ref _dropConnection); set => Set(ref _dropConnection, value); }

    /// <summary>Queued faults not yet consumed.</summary>
    public int QueuedCount
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Token-bucket throttling: <paramref name="requestsPerSecond"/> refill, <paramref name="burst"/> capacity (starts full), on the emulator's TimeProvider.</summary>
    public void SetRateLimit(double requestsPerSecond, int burst)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requestsPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        lock (_gate)
        {
            _bucket = new TokenBucket(requestsPerSecond, burst, _timeProvider.GetUtcNow());
        }
    }

    public void ClearRateLimit()
    {
        lock (_gate)
        {
            _bucket = null;
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> requests of <paramref name="operation"/> (null: of any operation) get
    /// <paramref name="fault"/>; with <paramref name="hostedZoneId"/> only requests on that zone (GetHostedZone,
    /// ListResourceRecordSets, ChangeResourceRecordSets), so one zone can fail while another succeeds.
    /// </summary>
    public void Enqueue(Route53Fault fault, Route53Operation? operation = null, int count = 1, string? hostedZoneId = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _queue.AddLast((fault, operation, hostedZoneId));
            }
        }
    }

    /// <summary>Restarts the random source, so a run can be replayed.</summary>
    public void Reseed(int seed)
    {
        lock (_gate)
        {
            _random = new Random(seed);
        }
    }

    /// <summary>Clears the queue, the rate limit and every probability.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _queue.Clear();
            _bucket = null;
            _throttling = _priorRequestNotComplete = _internalError = _dropConnection = 0;
        }
    }

    internal Route53Fault? Decide(Route53Operation operation, string resourceId)
    {
        lock (_gate)
        {
            for (var node = _queue.First; node is not null; node = node.Next)
            {
                if ((node.Value.Operation is null || node.Value.Operation == operation)
                    && (node.Value.HostedZoneId is null || (operation is not (Route53Operation.GetChange or Route53Operation.ListHostedZonesByName)
                        && string.Equals(node.Value.HostedZoneId.Replace("/hostedzone/", "", StringComparison.Ordinal), resourceId, StringComparison.Ordinal))))
                {
                    _queue.Remove(node);
                    return node.Value.Fault;
                }
            }

            if (_bucket is not null && !_bucket.TryTake(_timeProvider.GetUtcNow()))
            {
                return Route53Fault.Throttling;
            }

            if (Draw(_throttling))
            {
                return Route53Fault.Throttling;
            }

            if (Draw(_priorRequestNotComplete))
            {
                return Route53Fault.PriorRequestNotComplete;
            }

            if (Draw(_internalError))
            {
                return Route53Fault.InternalError;
            }

            return Draw(_dropConnection) ? Route53Fault.DropConnection : null;
        }
    }

    // Kinds left at 0 draw nothing, so a seeded run replays the same way whatever else is configured at 0.
    private bool Draw(double probability) => probability > 0 && _random.NextDouble() < probability;

    private double Get(ref double field)
    {
        lock (_gate)
        {
            return field;
        }
    }

    private void Set(ref double field, double value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1);
        lock (_gate)
        {
            field = value;
        }
    }
}
