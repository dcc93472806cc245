using System.Collections.Concurrent;
using System.Security.Authentication;
using System.Text.Json;
using CertDaemon.Aws;
using CertDaemon.Aws.Acm;
using CertDaemon.Testbed.Fleet;
using CertDaemon.Testbed.Moto;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;
using CertDaemon.Tests.Deployment;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Fleet;

/// <summary>
/// Fleet mode end to end: real <c>certdaemon run</c> processes, each with its own directories and nginx, sharing one
/// moto S3 bucket; pebble issues certificates that live one minute, so renewals come every half minute.
/// </summary>
public sealed class FleetDaemonTests(ITestOutputHelper output)
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Three_instances_order_each_renewal_once_all_serve_it_within_a_check_interval_and_ride_out_an_s3_outage()
    {
        // No authorization reuse: every order publishes its challenges, so Route53 change batches count orders.
        await using var fleet = await FleetTestbed.StartAsync(new PebbleOptions { NonceRejectPercent = 20, ValidityPeriodSeconds = 60, AuthorizationReusePercent = 0 }, TimeSpan.FromSeconds(15));
        var instances = new List<FleetTestInstance>();
        for (var i = 0; i < 3; i++)
        {
            instances.Add(await fleet.AddInstanceAsync(checkInterval: CheckInterval));
        }

        var environment = AcmEnvironment(fleet);
        foreach (var instance in instances)
        {
            instance.WriteConfiguration();
            instance.WithAcm();
            instance.StartDaemon(environment);
        }

        var placeholders = instances.Select(FleetLiveFiles.Serial).ToHashSet();
        await using var sampler = new ServedSampler(instances);
        await FailureReport.WithLogsAsync(output, () => fleet.Logs + sampler.Report(), async () =>
        {
            // Two versions: the first issuance and a renewal, each ordered by one instance, served by all.
            var published = new List<(int Version, string Serial, DateTimeOffset At)>();
            await WaitForVersionsAsync(fleet, published, 2, TimeSpan.FromMinutes(3));
            foreach (var (version, serial, at) in published)
            {
                foreach (var instance in instances)
                {
                    var servedAt = await sampler.FirstServedAsync(instance, serial, TimeSpan.FromMinutes(2));
                    output.WriteLine($"version {version} ({serial}) published {at:O}, served by {Path.GetFileName(instance.Root)} at {servedAt:O} (+{(servedAt - at).TotalSeconds:F1} s)");
                    Assert.True(servedAt - at <= CheckInterval, $"{instance.Root} served {serial} {(servedAt - at).TotalSeconds:F1} s after it was published");
                }
            }

            // S3 goes away for a while: every instance keeps serving, reports it, and converges once it is back.
            await fleet.S3.CloseAsync();
            var closedAt = TimeProvider.System.GetUtcNow();
            await Task.Delay(TimeSpan.FromSeconds(35)); // longer than the renewal interval: a due check meets the outage
            Assert.All(instances, i => Assert.False(i.Daemon!.HasExited));
            foreach (var instance in instances)
            {
                Assert.NotNull(await TlsHandshake.ServedSerialAsync(instance.Nginx!.Port, "www.example.test"));
            }

            var reported = instances.SelectMany(i => i.Daemon!.Named("RenewalFailed").Where(e => e.Timestamp >= closedAt)).ToList();
            Assert.NotEmpty(reported);
            Assert.Contains(reported, e => e.ToString().Contains("s3://", StringComparison.Ordinal));
            fleet.S3.Open();

            await WaitForVersionsAsync(fleet, published, published.Count + 1, TimeSpan.FromMinutes(4));
            var last = published[^1];
            foreach (var instance in instances)
            {
                await sampler.FirstServedAsync(instance, last.Serial, TimeSpan.FromMinutes(2));
            }

            // Each version was ordered exactly once: one CertificateIssued in the whole fleet and one challenge
            // publication at Route53 per version.
            var issued = instances.SelectMany(i => i.Daemon!.Named("CertificateIssued")).Select(e => e.Property("Serial")!).ToList();
            output.WriteLine($"versions {published.Count}, issued {issued.Count}: {string.Join(", ", issued)}");
            Assert.Equal(issued.Count, issued.Distinct().Count());
            Assert.Subset(issued.ToHashSet(), published.Select(p => p.Serial).ToHashSet());
            Assert.Equal(PublishBatches(fleet), issued.Count);
            var installs = instances.SelectMany(i => i.Daemon!.Named("FleetCertificateInstalled")).Count();
            Assert.True(installs >= 2 * (published.Count - 1), $"only {installs} FleetCertificateInstalled for {published.Count} versions");

            // Never a served certificate whose key did not match (every handshake proves the key), never an unknown one.
            Assert.Empty(sampler.Failures);
            Assert.All(sampler.SeenSerials, s => Assert.True(placeholders.Contains(s) || published.Any(p => p.Serial == s) || issued.Contains(s), $"served {s}"));

            // ACM: one certificate for the whole fleet, re-imported in place, holding the newest version.
            await AssertOneAcmCertificateAsync(fleet);
            Assert.Empty(fleet.TxtRecordSets());
        });
    }

    [Fact]
    public async Task A_lease_holder_killed_mid_order_is_replaced_after_expiry_without_leftover_records_or_duplicate_acm_certificates()
    {
        // Route53 changes stay PENDING for 4 s: the first instance is inside its order when it is killed.
        await using var fleet = await FleetTestbed.StartAsync(leaseDuration: TimeSpan.FromSeconds(10), inSyncDelay: TimeSpan.FromSeconds(4));
        var doomed = await fleet.AddInstanceAsync(checkInterval: CheckInterval);
        var survivor = await fleet.AddInstanceAsync(checkInterval: CheckInterval);
        var environment = AcmEnvironment(fleet);
        doomed.WithAcm();
        survivor.WithAcm();
        await FailureReport.WithLogsAsync(output, () => fleet.Logs, async () =>
        {
            var first = doomed.StartDaemon(environment);
            await first.WaitForEventAsync("ChallengeRecordsPublished", timeout: TimeSpan.FromSeconds(60));
            await first.DisposeAsync(); // SIGKILL, whole process tree: no clean-up, no lease release
            var killedAt = TimeProvider.System.GetUtcNow();
            Assert.NotEmpty(fleet.TxtRecordSets());
            var lease = JsonDocument.Parse((await S3Buckets.ReadAsync(fleet.Moto.Endpoint, fleet.Bucket, "fleet/certificates/site/lease.json"))!);
            Assert.NotEmpty(lease.RootElement.GetProperty("challenges").EnumerateArray());

            var second = survivor.StartDaemon(environment);
            var takenOver = await second.WaitForEventAsync("FleetLeaseTakenOver", timeout: TimeSpan.FromSeconds(60));
            Assert.True(takenOver.Timestamp >= killedAt + TimeSpan.FromSeconds(2), "taken over before the dead holder's lease could have expired");
            var issued = await second.WaitForEventAsync("CertificateIssued", timeout: TimeSpan.FromSeconds(60));
            await second.WaitForEventAsync("FleetCertificatePublished", timeout: TimeSpan.FromSeconds(30));
            var serial = issued.Property("Serial")!;
            Assert.Equal(serial, await TlsHandshake.EventuallyServedSerialAsync(survivor.Nginx!.Port, "www.example.test", serial));
            Assert.Single(second.Named("CertificateIssued"));

            // The dead holder's values and the survivor's own are all gone.
            await WaitUntilAsync(() => fleet.TxtRecordSets().Count == 0, TimeSpan.FromSeconds(20), "TXT records left: " + string.Join(", ", fleet.TxtRecordSets()));

            // The killed instance comes back: it installs the fleet's version and imports nothing.
            var back = doomed.StartDaemon(environment);
            await back.WaitForEventAsync("FleetCertificateInstalled", e => e.Property("Serial") == serial, TimeSpan.FromSeconds(60));
            Assert.Equal(serial, await TlsHandshake.EventuallyServedSerialAsync(doomed.Nginx!.Port, "www.example.test", serial));
            Assert.Empty(back.Named("CertificateIssued"));
            Assert.Empty(back.Named("AcmImported"));
            await AssertOneAcmCertificateAsync(fleet);
        });
    }

    private static Dictionary<string, string?> AcmEnvironment(FleetTestbed fleet) => new() { ["AWS_ENDPOINT_URL_ACM"] = fleet.Moto.Endpoint.ToString() };

    private static async Task AssertOneAcmCertificateAsync(FleetTestbed fleet)
    {
        using var acm = AcmClient.Create("us-east-1", fleet.Moto.Endpoint, MotoServer.Credentials, new AwsRequestRateLimiter(100, 100));
        var page = await acm.ListCertificatesAsync(AcmKeyAlgorithms.All, null, null, CancellationToken.None);
        Assert.Single(page.Certificates);
    }

    /// <summary>Change batches that published challenge values (anything but a pure removal): one per order.</summary>
    private static int PublishBatches(FleetTestbed fleet) =>
        fleet.Route53.ChangeLog.Count(b => b.Accepted && b.Changes.Any(c => c.Action != Route53ChangeAction.Delete && c.RecordSet.Type == "TXT")
            && !b.Changes.All(c => c.Action == Route53ChangeAction.Delete));

    private async Task WaitForVersionsAsync(FleetTestbed fleet, List<(int Version, string Serial, DateTimeOffset At)> published, int count, TimeSpan within)
    {
        var deadline = TimeProvider.System.GetUtcNow() + within;
        while (published.Count < count)
        {
            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"only {published.Count} of {count} versions published within {within}");
            }

            if (await fleet.ManifestJsonAsync() is { } json)
            {
                using var manifest = JsonDocument.Parse(json);
                var version = manifest.RootElement.GetProperty("version").GetInt32();
                if (published.Count == 0 || published[^1].Version != version)
                {
                    var entry = (version, manifest.RootElement.GetProperty("serial").GetString()!, TimeProvider.System.GetUtcNow());
                    published.Add(entry);
                    output.WriteLine($"manifest version {entry.version}: {entry.Item2} at {entry.Item3:O}");
                }
            }

            await Task.Delay(250);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan within, string what)
    {
        var deadline = TimeProvider.System.GetUtcNow() + within;
        while (!condition())
        {
            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException(what);
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Handshakes with every instance's nginx twice a second for the whole test: what each served, and when first.</summary>
    private sealed class ServedSampler : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentDictionary<(string Instance, string Serial), DateTimeOffset> _first = new();
        private readonly ConcurrentQueue<string> _failures = new();
        private readonly Task _running;

        public ServedSampler(IReadOnlyList<FleetTestInstance> instances) => _running = RunAsync(instances);

        public IReadOnlyCollection<string> Failures => [.. _failures];

        public IReadOnlySet<string> SeenSerials => _first.Keys.Select(k => k.Serial).ToHashSet();

        public async Task<DateTimeOffset> FirstServedAsync(FleetTestInstance instance, string serial, TimeSpan within)
        {
            var deadline = TimeProvider.System.GetUtcNow() + within;
            while (true)
            {
                if (_first.TryGetValue((instance.Root, serial), out var at))
                {
                    return at;
                }

                if (TimeProvider.System.GetUtcNow() > deadline)
                {
                    throw new TimeoutException($"{instance.Root} never served {serial}");
                }

                await Task.Delay(100);
            }
        }

        public string Report() => "\n--- served ---\n" + string.Join("\n", _first.OrderBy(kv => kv.Value).Select(kv => $"{kv.Value:O} {Path.GetFileName(kv.Key.Instance)} {kv.Key.Serial}"))
            + "\n--- handshake failures ---\n" + string.Join("\n", _failures);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _running;
            _stop.Dispose();
        }

        private async Task RunAsync(IReadOnlyList<FleetTestInstance> instances)
        {
            while (!_stop.IsCancellationRequested)
            {
                foreach (var instance in instances)
                {
                    try
                    {
                        var serial = await TlsHandshake.ServedSerialAsync(instance.Nginx!.Port, "www.example.test");
                        _first.TryAdd((instance.Root, serial), TimeProvider.System.GetUtcNow());
                    }
                    catch (Exception e) when (e is AuthenticationException or IOException)
                    {
                        _failures.Enqueue($"{TimeProvider.System.GetUtcNow():O} {instance.Root}: {e.Message}");
                    }
                }

                try
                {
                    await Task.Delay(500, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
