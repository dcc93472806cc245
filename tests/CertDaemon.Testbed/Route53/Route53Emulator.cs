using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using System.Xml.Linq;
using CertDaemon.Testbed.Pebble;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CertDaemon.Testbed.Route53;

/// <summary>
/// A Route53 REST-XML endpoint (API 2013-04-01) in this process, faithful where moto is not: SigV4 is checked,
/// changes stay PENDING for <see cref="InSyncDelay"/>, ChangeBatch rules and limits are AWS's, ListHostedZonesByName
/// has AWS's "start at this name" semantics, and faults (throttling, PriorRequestNotComplete, 500s, dropped
/// connections) can be injected. When a change becomes INSYNC - and only then - its TXT and CNAME record sets are
/// pushed into pebble-challtestsrv, so an ACME client that does not wait for INSYNC fails validation as on AWS.
/// </summary>
/// <remarks>
/// Serves ListHostedZonesByName, GetHostedZone, ListResourceRecordSets, ChangeResourceRecordSets and GetChange.
/// Zones are created through <see cref="AddHostedZone"/>, not over the wire. Simple routing only (no alias records).
/// Independent of any test framework: the sandbox can host it as a program.
/// </remarks>
public sealed class Route53Emulator : IAsyncDisposable
{
    private const string ApiPrefix = "2013-04-01";

    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private readonly ChallTestSrvClient? _challTestSrv;
    private readonly Route53SignatureVerifier _verifier;
    private readonly Dictionary<string, EmulatedHostedZone> _zones = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EmulatedChange> _changes = new(StringComparer.Ordinal);
    private readonly List<Route53ChangeBatchLogEntry> _changeLog = [];
    private readonly List<string> _publishErrors = [];
    private readonly List<Route53RequestLogEntry> _requests = [];
    private readonly Dictionary<(string Name, string Type), long> _publishedSequence = [];

    /// <summary>What challtestsrv answers per host (only the publish loop touches it).</summary>
    private readonly Dictionary<string, List<string>> _publishedTxt = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Route53Operation, long[]> _stats = new();
    private readonly Channel<EmulatedChange> _publishQueue = Channel.CreateUnbounded<EmulatedChange>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Random _ids;
    private WebApplication? _app;
    private Task _publishLoop = Task.CompletedTask;
    private long _sequence;
    private string? _lastSignatureFailure;

    private Route53Emulator(Route53EmulatorOptions options, ChallTestSrvClient? challTestSrv, TimeProvider timeProvider)
    {
        Options = options;
        _challTestSrv = challTestSrv;
        _timeProvider = timeProvider;
        _verifier = new Route53SignatureVerifier(options.Credentials, options.MaxSignatureClockSkew);
        _ids = new Random(options.RandomSeed ^ 0x52_53);
        InSyncDelay = options.InSyncDelay;
        VerifySignatures = options.VerifySignatures;
        Faults = new Route53FaultInjector(timeProvider, options.RandomSeed);
        if (options.RateLimitPerSecond is { } rate)
        {
            Faults.SetRateLimit(rate, options.RateLimitBurst);
        }
    }

    public Route53EmulatorOptions Options { get; }

    /// <summary><c>http://127.0.0.1:PORT/</c>; point the Route53 client's endpoint (or <c>AWS_ENDPOINT_URL_ROUTE_53</c>) here.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Fault knobs, changeable while requests are in flight.</summary>
    public Route53FaultInjector Faults { get; }

    /// <summary>Delay from submission to INSYNC for changes submitted from now on (measured on the emulator's TimeProvider).</summary>
    public TimeSpan InSyncDelay { get; set; }

    /// <summary>
    /// When set, changes submitted from now on ignore <see cref="InSyncDelay"/>: GetChange answers PENDING this many
    /// times, and the next GetChange pushes the change to DNS and answers INSYNC. For tests that assert how a client
    /// polls without depending on timing. The default is null (time-based).
    /// </summary>
    public int? PendingPolls { get; set; }

    /// <summary>Every request that reached an operation (whatever the outcome), in arrival order.</summary>
    public IReadOnlyList<Route53RequestLogEntry> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>False accepts unsigned requests (as moto does). Starts as <see cref="Route53EmulatorOptions.VerifySignatures"/>.</summary>
    public bool VerifySignatures { get; set; }

    /// <summary>Canonical request and string to sign the emulator computed for the last SignatureDoesNotMatch, to compare with the client's.</summary>
    public string? LastSignatureFailure => Volatile.Read(ref _lastSignatureFailure);

    /// <summary>Every ChangeResourceRecordSets received, in arrival order, including rejected and faulted ones.</summary>
    public IReadOnlyList<Route53ChangeBatchLogEntry> ChangeLog
    {
        get
        {
            lock (_gate)
            {
                return [.. _changeLog];
            }
        }
    }

    /// <summary>Failures pushing INSYNC changes into challtestsrv (the change still turns INSYNC); empty in a healthy run.</summary>
    public IReadOnlyList<string> PublishErrors
    {
        get
        {
            lock (_gate)
            {
                return [.. _publishErrors];
            }
        }
    }

    public static async Task<Route53Emulator> StartAsync(
        Route53EmulatorOptions? options = null, ChallTestSrvClient? challTestSrv = null, TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        var emulator = new Route53Emulator(options ?? new Route53EmulatorOptions(), challTestSrv, timeProvider ?? TimeProvider.System);
        try
        {
            await emulator.StartServerAsync(cancellationToken);
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }

        return emulator;
    }

    /// <summary>
    /// Creates a hosted zone as CreateHostedZone would, with its apex NS (TTL 172800) and SOA (TTL 900) record sets.
    /// Returns the id without the <c>/hostedzone/</c> prefix.
    /// </summary>
    public string AddHostedZone(string name, bool isPrivate = false, IReadOnlyList<string>? nameServers = null)
    {
        if (!Route53DnsName.TryNormalize(name, out var zoneName))
        {
            throw new ArgumentException($"not a valid DNS name: '{name}'", nameof(name));
        }

        lock (_gate)
        {
            var id = "Z0" + RandomId(19);
            var servers = nameServers ?? [.. Enumerable.Range(0, 4).Select(i => DefaultNameServer(i))];
            var zone = new EmulatedHostedZone(id, zoneName, isPrivate, servers, "certdaemon-testbed-" + id);
            var soa = $"{servers[0].TrimEnd('.')}. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400";
            zone.RecordSets = zone.RecordSets
                .Add(new RecordSetKey(zoneName, "NS"), new Route53RecordSet(zoneName, "NS", 172800, [.. servers.Select(s => s.TrimEnd('.') + ".")]))
                .Add(new RecordSetKey(zoneName, "SOA"), new Route53RecordSet(zoneName, "SOA", 900, [soa]));
            _zones.Add(id, zone);
            return id;
        }

        string DefaultNameServer(int i) => i switch
        {
            0 => $"ns-{_ids.Next(0, 512)}.awsdns-{_ids.Next(0, 64):00}.com",
            1 => $"ns-{_ids.Next(512, 1024)}.awsdns-{_ids.Next(0, 64):00}.net",
            2 => $"ns-{_ids.Next(1024, 1536)}.awsdns-{_ids.Next(0, 64):00}.org",
            _ => $"ns-{_ids.Next(1536, 2048)}.awsdns-{_ids.Next(0, 64):00}.co.uk",
        };
    }

    /// <summary>The zone's record sets in ListResourceRecordSets order (wire form).</summary>
    public IReadOnlyList<Route53RecordSet> GetRecordSets(string zoneId)
    {
        lock (_gate)
        {
            return [.. GetZone(zoneId).RecordSets.Values];
        }
    }

    /// <summary>
    /// The TXT values (wire form, quoted) at <paramref name="name"/> in the most specific zone containing it (public zones
    /// before private ones); empty when there is none. This is the committed state, which DNS shows only once INSYNC.
    /// </summary>
    public IReadOnlyList<string> GetTxtValues(string name)
    {
        if (!Route53DnsName.TryNormalize(name, out var wire))
        {
            throw new ArgumentException($"not a valid DNS name: '{name}'", nameof(name));
        }

        lock (_gate)
        {
            var zone = _zones.Values
                .Where(z => Route53DnsName.IsInZone(wire, z.Name))
                .OrderByDescending(z => z.Name.Length)
                .ThenBy(z => z.IsPrivate)
                .FirstOrDefault();
            return zone is not null && zone.RecordSets.TryGetValue(new RecordSetKey(wire, "TXT"), out var set) ? set.Values : [];
        }
    }

    /// <summary>
    /// Puts a record set into a zone directly (as if it had been there for long: no change id, not logged, not
    /// counted) and publishes it to challtestsrv before returning. Validated by the same rules as an UPSERT.
    /// </summary>
    public async Task SeedRecordSetAsync(string zoneId, string name, string type, long ttl, IReadOnlyList<string> values, CancellationToken cancellationToken = default)
    {
        EmulatedChange change;
        lock (_gate)
        {
            var zone = GetZone(zoneId);
            var result = ChangeBatchApplier.Apply(zone, [new Route53Change(Route53ChangeAction.Upsert, new Route53RecordSet(name, type, ttl, values))], Options);
            if (result.RecordSets is null)
            {
                throw new ArgumentException("seed rejected: " + string.Join("; ", result.Problems));
            }

            change = Commit(zone, result, "seed", comment: null, TimeSpan.Zero, scheduleTimer: false);
        }

        _publishQueue.Writer.TryWrite(change);
        await change.Published.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Requests that reached <paramref name="operation"/> and those answered 2xx.</summary>
    public Route53OperationStats GetStats(Route53Operation operation)
    {
        var counters = _stats.GetOrAdd(operation, _ => new long[2]);
        return new Route53OperationStats(Interlocked.Read(ref counters[0]), Interlocked.Read(ref counters[1]));
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(timeout.Token);
            await _app.DisposeAsync();
        }

        _publishQueue.Writer.TryComplete();
        await _publishLoop;
        while (_publishQueue.Reader.TryRead(out var queued))
        {
            queued.Published.TrySetResult();
        }

        lock (_gate)
        {
            foreach (var change in _changes.Values)
            {
                change.Timer?.Dispose();
                change.Published.TrySetResult();
            }
        }

        _stopping.Dispose();
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 4 * 1024 * 1024;
            kestrel.Listen(Options.ListenAddress, Options.Port);
        });
        _app = builder.Build();
        _app.Run(HandleAsync);
        await _app.StartAsync(cancellationToken);
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Endpoint = new Uri(address.EndsWith('/') ? address : address + "/");
        _publishLoop = Task.Run(PublishLoopAsync, CancellationToken.None);
    }

    /// <summary>The access key id of a SigV4 Authorization header (<c>Credential=AKID/date/region/service/aws4_request</c>).</summary>
    private static string? SignedAccessKeyId(string authorization)
    {
        const string Marker = "Credential=";
        var start = authorization.IndexOf(Marker, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += Marker.Length;
        var end = authorization.IndexOf('/', start);
        return end < 0 ? null : authorization[start..end];
    }

    private async Task HandleAsync(HttpContext context)
    {
        var requestId = Guid.NewGuid().ToString();
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryStart < 0 ? rawTarget : rawTarget[..queryStart];
        var rawQuery = queryStart < 0 ? "" : rawTarget[(queryStart + 1)..];
        byte[] body;
        using (var buffer = new MemoryStream())
        {
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            body = buffer.ToArray();
        }

        var route = Route(context.Request.Method, rawPath);
        if (route is null)
        {
            await WriteAsync(context, Route53Reply.Error(404, "UnknownOperationException", $"No Route53 operation at {context.Request.Method} {rawPath}"), requestId);
            return;
        }

        var (operation, resourceId) = route.Value;
        var counters = _stats.GetOrAdd(operation, _ => new long[2]);
        Interlocked.Increment(ref counters[0]);
        lock (_gate)
        {
            _requests.Add(new Route53RequestLogEntry(
                operation, resourceId, context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal))
            {
                AccessKeyId = SignedAccessKeyId(context.Request.Headers.Authorization.ToString()),
                HasSessionToken = context.Request.Headers.ContainsKey("X-Amz-Security-Token"),
            });
        }

        Route53Reply reply;
        string? diagnostics = null;
        var signatureProblem = VerifySignatures
            ? _verifier.Verify(context.Request, rawPath, rawQuery, body, TimeProvider.System.GetUtcNow(), out diagnostics)
            : null;
        if (signatureProblem is not null)
        {
            if (diagnostics is not null)
            {
                Volatile.Write(ref _lastSignatureFailure, diagnostics);
            }

            reply = signatureProblem;
        }
        else
        {
            var fault = Faults.Decide(operation, resourceId);
            if (fault is null or Route53Fault.DropConnectionAfterCommit)
            {
                reply = await ExecuteAsync(operation, resourceId, context.Request.Query, body, context.RequestAborted);
                if (fault is not null)
                {
                    reply = Route53Reply.Abort(fault.Value.ToString());
                }
            }
            else
            {
                reply = FaultReply(fault.Value);
                if (operation == Route53Operation.ChangeResourceRecordSets)
                {
                    LogRejectedBatch(resourceId, body, reply);
                }
            }
        }

        if (reply.IsSuccess)
        {
            Interlocked.Increment(ref counters[1]);
        }

        await WriteAsync(context, reply, requestId);
    }

    private Route53Reply FaultReply(Route53Fault fault) => fault switch
    {
        Route53Fault.InvalidChangeBatch => Route53Reply.InvalidChangeBatch(
            ["Tried to delete resource record set but the values provided do not match the current values"], Options.InvalidChangeBatchFormat),
        Route53Fault.Throttling => Route53Reply.Error(400, "Throttling", "Rate exceeded"),
        Route53Fault.PriorRequestNotComplete => Route53Reply.Error(400, "PriorRequestNotComplete", "The request was rejected because Route 53 was still processing a prior request."),
        Route53Fault.InternalError => Route53Reply.Error(500, "InternalFailure", "An internal error occurred."),
        Route53Fault.AccessDenied => Route53Reply.Error(
            403, "AccessDenied", "User: arn:aws:sts::123456789012:assumed-role/web/i-0 is not authorized to perform: route53:ChangeResourceRecordSets"),
        _ => Route53Reply.Abort(fault.ToString()),
    };

    private static (Route53Operation Operation, string ResourceId)? Route(string method, string rawPath)
    {
        var segments = rawPath.Split('/');
        if (segments.Length < 3 || segments[0].Length != 0 || segments[1] != ApiPrefix)
        {
            return null;
        }

        var get = HttpMethods.IsGet(method);
        switch (segments[2])
        {
            case "hostedzonesbyname" when get && segments.Length == 3:
                return (Route53Operation.ListHostedZonesByName, "");
            case "hostedzone" when segments.Length == 4 && get:
                return (Route53Operation.GetHostedZone, StripPrefix(Uri.UnescapeDataString(segments[3]), "hostedzone/"));
            case "hostedzone" when segments.Length is 5 or 6 && segments[4] == "rrset" && (segments.Length == 5 || segments[5].Length == 0):
                var zoneId = StripPrefix(Uri.UnescapeDataString(segments[3]), "hostedzone/");
                return get ? (Route53Operation.ListResourceRecordSets, zoneId)
                    : HttpMethods.IsPost(method) ? (Route53Operation.ChangeResourceRecordSets, zoneId)
                    : null;
            case "change" when get && segments.Length > 3:
                // "C123", or the "/change/C123" form, percent-encoded or not.
                return (Route53Operation.GetChange, StripPrefix(Uri.UnescapeDataString(string.Join('/', segments[3..])), "change/"));
            default:
                return null;
        }
    }

    private static string StripPrefix(string id, string prefix)
    {
        id = id.TrimStart('/');
        return id.StartsWith(prefix, StringComparison.Ordinal) ? id[prefix.Length..] : id;
    }

    private async Task<Route53Reply> ExecuteAsync(Route53Operation operation, string resourceId, IQueryCollection query, byte[] body, CancellationToken cancellationToken)
    {
        switch (operation)
        {
            case Route53Operation.GetChange:
                return await GetChangeAsync(resourceId, cancellationToken);
            case Route53Operation.ChangeResourceRecordSets:
                return ChangeResourceRecordSets(resourceId, body);
            default:
                lock (_gate)
                {
                    return operation switch
                    {
                        Route53Operation.ListHostedZonesByName => ListHostedZonesByName(query),
                        Route53Operation.GetHostedZone => GetHostedZone(resourceId),
                        _ => ListResourceRecordSets(resourceId, query),
                    };
                }
        }
    }

    private Route53Reply GetHostedZone(string zoneId)
    {
        if (!_zones.TryGetValue(zoneId, out var zone))
        {
            return NoSuchHostedZone(zoneId);
        }

        var ns = Route53Reply.Ns;
        var delegation = zone.IsPrivate
            ? new XElement(ns + "VPCs", new XElement(ns + "VPC", new XElement(ns + "VPCRegion", "us-east-1"), new XElement(ns + "VPCId", "vpc-0emulator" + zone.Id[2..10].ToLowerInvariant())))
            : new XElement(ns + "DelegationSet", new XElement(ns + "NameServers", zone.NameServers.Select(s => new XElement(ns + "NameServer", s))));
        return Route53Reply.Ok(new XElement(ns + "GetHostedZoneResponse", ZoneElement(zone), delegation));
    }

    private Route53Reply ListHostedZonesByName(IQueryCollection query)
    {
        var ns = Route53Reply.Ns;
        string? dnsName = query.TryGetValue("dnsname", out var d) ? d.ToString() : null;
        string? startId = query.TryGetValue("hostedzoneid", out var h) ? StripPrefix(h.ToString(), "hostedzone/") : null;
        if (ParseMaxItems(query, 100) is not { } maxItems)
        {
            return Route53Reply.Error(400, "InvalidInput", "Invalid value for maxitems");
        }

        if (startId is not null && dnsName is null)
        {
            return Route53Reply.Error(400, "InvalidInput", "The hostedzoneid parameter requires the dnsname parameter.");
        }

        string? start = null;
        if (dnsName is not null && !Route53DnsName.TryNormalize(dnsName, out start))
        {
            return Route53Reply.Error(400, "InvalidDomainName", $"{dnsName} is not a valid DNS name");
        }

        var ordered = _zones.Values
            .OrderBy(z => z.Name, Comparer<string>.Create(Route53DnsName.CompareReversed))
            .ThenBy(z => z.Id, StringComparer.Ordinal)
            .SkipWhile(z => start is not null && IsBefore(z, start, startId))
            .Take(maxItems + 1)
            .ToList();
        var page = ordered.Take(maxItems).ToList();
        var next = ordered.Count > maxItems ? ordered[maxItems] : null;
        return Route53Reply.Ok(new XElement(ns + "ListHostedZonesByNameResponse",
            new XElement(ns + "HostedZones", page.Select(ZoneElement)),
            dnsName is null ? null : new XElement(ns + "DNSName", dnsName),
            startId is null ? null : new XElement(ns + "HostedZoneId", startId),
            new XElement(ns + "IsTruncated", next is not null ? "true" : "false"),
            next is null ? null : new XElement(ns + "NextDNSName", next.Name),
            next is null ? null : new XElement(ns + "NextHostedZoneId", next.Id),
            new XElement(ns + "MaxItems", maxItems.ToString(CultureInfo.InvariantCulture))));

        static bool IsBefore(EmulatedHostedZone zone, string startName, string? startId)
        {
            var byName = Route53DnsName.CompareReversed(zone.Name, startName);
            return byName < 0 || (byName == 0 && startId is not null && string.CompareOrdinal(zone.Id, startId) < 0);
        }
    }

    private Route53Reply ListResourceRecordSets(string zoneId, IQueryCollection query)
    {
        if (!_zones.TryGetValue(zoneId, out var zone))
        {
            return NoSuchHostedZone(zoneId);
        }

        var ns = Route53Reply.Ns;
        string? name = query.TryGetValue("name", out var n) ? n.ToString() : null;
        string? type = query.TryGetValue("type", out var t) ? t.ToString() : null;
        if (ParseMaxItems(query, 300) is not { } maxItems)
        {
            return Route53Reply.Error(400, "InvalidInput", "Invalid value for maxitems");
        }

        if (type is not null && name is null)
        {
            return Route53Reply.Error(400, "InvalidInput", "The type parameter requires the name parameter.");
        }

        if (type is not null && !Route53RecordTypes.All.Contains(type))
        {
            return Route53Reply.Error(400, "InvalidInput", $"Invalid type: {type}");
        }

        var startName = "";
        if (name is not null && !Route53DnsName.TryNormalize(name, out startName))
        {
            return Route53Reply.Error(400, "InvalidInput", $"Invalid name: {name}");
        }

        var start = new RecordSetKey(startName, type ?? "");
        var sets = zone.RecordSets.Where(kv => name is null || kv.Key >= start).Take(maxItems + 1).Select(kv => kv.Value).ToList();
        var next = sets.Count > maxItems ? sets[maxItems] : null;
        return Route53Reply.Ok(new XElement(ns + "ListResourceRecordSetsResponse",
            new XElement(ns + "ResourceRecordSets", sets.Take(maxItems).Select(s => new XElement(ns + "ResourceRecordSet",
                new XElement(ns + "Name", s.Name),
                new XElement(ns + "Type", s.Type),
                new XElement(ns + "TTL", s.Ttl),
                new XElement(ns + "ResourceRecords", s.Values.Select(v => new XElement(ns + "ResourceRecord", new XElement(ns + "Value", v))))))),
            new XElement(ns + "IsTruncated", next is not null ? "true" : "false"),
            next is null ? null : new XElement(ns + "NextRecordName", next.Name),
            next is null ? null : new XElement(ns + "NextRecordType", next.Type),
            new XElement(ns + "MaxItems", maxItems.ToString(CultureInfo.InvariantCulture))));
    }

    private Route53Reply ChangeResourceRecordSets(string zoneId, byte[] body)
    {
        var parsed = ChangeRequestParser.Parse(body);
        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();
            Route53Reply reply;
            string? changeId = null;
            if (!_zones.TryGetValue(zoneId, out var zone))
            {
                reply = NoSuchHostedZone(zoneId);
            }
            else if (parsed.InvalidInput is not null)
            {
                reply = Route53Reply.Error(400, "InvalidInput", parsed.InvalidInput);
            }
            else
            {
                var result = ChangeBatchApplier.Apply(zone, parsed.Changes, Options);
                if (result.RecordSets is null)
                {
                    reply = Route53Reply.InvalidChangeBatch(result.Problems, Options.InvalidChangeBatchFormat);
                }
                else
                {
                    var change = Commit(zone, result, "C" + RandomId(20), parsed.Comment, InSyncDelay, scheduleTimer: true);
                    changeId = change.Id;
                    reply = Route53Reply.Ok(new XElement(Route53Reply.Ns + "ChangeResourceRecordSetsResponse", ChangeInfoElement(change, "PENDING")));
                }
            }

            _changeLog.Add(new Route53ChangeBatchLogEntry(now, zoneId, parsed.Changes, parsed.Comment, changeId, reply.ErrorCode, reply.ErrorMessage));
            return reply;
        }
    }

    private async Task<Route53Reply> GetChangeAsync(string changeId, CancellationToken cancellationToken)
    {
        EmulatedChange? change;
        lock (_gate)
        {
            _changes.TryGetValue(changeId, out change);
        }

        if (change is null)
        {
            return Route53Reply.Error(404, "NoSuchChange", $"A change with the specified change ID does not exist: {changeId}");
        }

        if (change.PendingPollsLeft is not null)
        {
            lock (_gate)
            {
                if (change.PendingPollsLeft > 0)
                {
                    change.PendingPollsLeft--;
                    return Route53Reply.Ok(new XElement(Route53Reply.Ns + "GetChangeResponse", ChangeInfoElement(change, "PENDING")));
                }

                if (change.PendingPollsLeft == 0)
                {
                    // -1: queued for publication once; polls meanwhile wait for it below.
                    change.PendingPollsLeft = -1;
                    _publishQueue.Writer.TryWrite(change);
                }
            }

            await change.Published.Task.WaitAsync(TimeSpan.FromSeconds(10), TimeProvider.System, cancellationToken);
        }

        // Due but not yet pushed to DNS (the timer is about to fire or the push is under way): INSYNC must mean "in DNS".
        if (_timeProvider.GetUtcNow() >= change.DueAt && !change.Published.Task.IsCompleted)
        {
            await change.Published.Task.WaitAsync(TimeSpan.FromSeconds(10), TimeProvider.System, cancellationToken);
        }

        var status = change.Published.Task.IsCompleted ? "INSYNC" : "PENDING";
        return Route53Reply.Ok(new XElement(Route53Reply.Ns + "GetChangeResponse", ChangeInfoElement(change, status)));
    }

    // Caller holds _gate.
    private EmulatedChange Commit(EmulatedHostedZone zone, ChangeBatchApplier.Result result, string changeId, string? comment, TimeSpan delay, bool scheduleTimer)
    {
        zone.RecordSets = result.RecordSets!;
        var dnsRecords = result.ChangedKeys
            .Where(k => k.Type is "TXT" or "CNAME")
            .Select(k => (k.Name, k.Type, zone.RecordSets.TryGetValue(k, out var s) ? s : null))
            .ToList();
        var now = _timeProvider.GetUtcNow();
        var change = new EmulatedChange(changeId, ++_sequence, now, now + delay, comment, dnsRecords);
        if (scheduleTimer && PendingPolls is { } polls)
        {
            _changes.Add(change.Id, change);
            change.PendingPollsLeft = polls;
        }
        else if (scheduleTimer)
        {
            _changes.Add(change.Id, change);
            change.Timer = _timeProvider.CreateTimer(state => _publishQueue.Writer.TryWrite((EmulatedChange)state!), change, delay, Timeout.InfiniteTimeSpan);
        }

        return change;
    }

    private async Task PublishLoopAsync()
    {
        await foreach (var change in _publishQueue.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                await PublishAsync(change, _stopping.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException || !_stopping.IsCancellationRequested)
            {
                lock (_gate)
                {
                    _publishErrors.Add($"{change.Id}: {e.GetType().Name}: {e.Message}");
                }
            }
            catch (OperationCanceledException)
            {
                // disposing: the change is released below all the same
                break;
            }
            finally
            {
                change.Published.TrySetResult();
            }
        }
    }

    private async Task PublishAsync(EmulatedChange change, CancellationToken cancellationToken)
    {
        if (_challTestSrv is null)
        {
            return;
        }

        foreach (var (name, type, set) in change.DnsRecords)
        {
            lock (_gate)
            {
                // Changes share one delay, so they normally arrive in order; after InSyncDelay shrinks they may not.
                if (_publishedSequence.TryGetValue((name, type), out var published) && published > change.Sequence)
                {
                    continue;
                }

                _publishedSequence[(name, type)] = change.Sequence;
            }

            var host = Route53DnsName.Unescape(name);
            if (type == "TXT")
            {
                await PublishTxtAsync(host, [.. set?.Values.Select(TxtRdata.Concatenate) ?? []], cancellationToken);
            }
            else if (set is not null)
            {
                await _challTestSrv.AddCnameAsync(host, Route53DnsName.Unescape(set.Values[0]), cancellationToken);
            }
            else
            {
                await _challTestSrv.ClearCnameAsync(host, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Only adds when nothing was removed (no moment without the old values); see
    /// <see cref="Route53EmulatorOptions.KeepRemovedTxtValuesUntilSetDeleted"/> for removals.
    /// </summary>
    private async Task PublishTxtAsync(string host, IReadOnlyList<string> values, CancellationToken cancellationToken)
    {
        var published = _publishedTxt.GetValueOrDefault(host) ?? [];
        var removed = published.Except(values, StringComparer.Ordinal).Any();
        if (values.Count == 0 || (removed && !Options.KeepRemovedTxtValuesUntilSetDeleted))
        {
            await _challTestSrv!.SetTxtValuesAsync(host, values, cancellationToken);
            _publishedTxt[host] = [.. values];
            return;
        }

        foreach (var value in values.Except(published, StringComparer.Ordinal))
        {
            await _challTestSrv!.AddTxtAsync(host, value, cancellationToken);
        }

        _publishedTxt[host] = [.. published.Union(values, StringComparer.Ordinal)];
    }

    private void LogRejectedBatch(string zoneId, byte[] body, Route53Reply reply)
    {
        var parsed = ChangeRequestParser.Parse(body);
        lock (_gate)
        {
            _changeLog.Add(new Route53ChangeBatchLogEntry(_timeProvider.GetUtcNow(), zoneId, parsed.Changes, parsed.Comment, null, reply.ErrorCode, reply.ErrorMessage));
        }
    }

    private static int? ParseMaxItems(IQueryCollection query, int limit)
    {
        if (!query.TryGetValue("maxitems", out var text))
        {
            return limit;
        }

        return int.TryParse(text.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? Math.Min(value, limit) : null;
    }

    private static XElement ZoneElement(EmulatedHostedZone zone)
    {
        var ns = Route53Reply.Ns;
        return new XElement(ns + "HostedZone",
            new XElement(ns + "Id", "/hostedzone/" + zone.Id),
            new XElement(ns + "Name", zone.Name),
            new XElement(ns + "CallerReference", zone.CallerReference),
            new XElement(ns + "Config", new XElement(ns + "PrivateZone", zone.IsPrivate ? "true" : "false")),
            new XElement(ns + "ResourceRecordSetCount", zone.RecordSets.Count));
    }

    private static XElement ChangeInfoElement(EmulatedChange change, string status)
    {
        var ns = Route53Reply.Ns;
        return new XElement(ns + "ChangeInfo",
            new XElement(ns + "Id", "/change/" + change.Id),
            new XElement(ns + "Status", status),
            new XElement(ns + "SubmittedAt", change.SubmittedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
            change.Comment is null ? null : new XElement(ns + "Comment", change.Comment));
    }

    private static Route53Reply NoSuchHostedZone(string zoneId) => Route53Reply.Error(404, "NoSuchHostedZone", $"No hosted zone found with ID: {zoneId}");

    private EmulatedHostedZone GetZone(string zoneId) =>
        _zones.TryGetValue(StripPrefix(zoneId, "hostedzone/"), out var zone) ? zone : throw new KeyNotFoundException($"no hosted zone {zoneId}");

    // Caller holds _gate (Random is not thread-safe).
    private string RandomId(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        return string.Create(length, _ids, (span, random) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[random.Next(alphabet.Length)];
            }
        });
    }

    private static async Task WriteAsync(HttpContext context, Route53Reply reply, string requestId)
    {
        if (reply.AbortConnection)
        {
            context.Abort();
            return;
        }

        context.Response.StatusCode = reply.StatusCode;
        if (reply.Body?.Root is { } root)
        {
            foreach (var element in root.Elements().Where(e => e.Name.LocalName == "RequestId"))
            {
                element.Value = requestId;
            }

            context.Response.ContentType = "text/xml";
            await context.Response.WriteAsync("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + root.ToString(SaveOptions.DisableFormatting), context.RequestAborted);
        }
    }
}
