using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using CertDaemon.Bench.Infrastructure;
using CertDaemon.Bench.Issuance;
using CertDaemon.Storage;
using CertDaemon.Testbed.Fleet;
using CertDaemon.Testbed.Moto;
using CertDaemon.Testbed.Nginx;
using CertDaemon.Testbed.Pebble;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Bench.Fleet;

/// <summary>
/// Fleet mode: N <c>certdaemon run</c> processes, each with its own directories and nginx, one moto S3 bucket.
/// (a) S3 requests per instance per check while nothing changes (moto's request log over an idle window, divided by
/// the checks the daemons logged); (b) time from a renewal being published to every instance's nginx serving it,
/// for 3 and 10 instances, with one-minute certificates renewed every half minute.
/// </summary>
internal static partial class FleetBenchmark
{
    public static async Task<int> RunAsync(BenchContext context)
    {
        var table = new MarkdownTable("measurement", "result", "samples", "target", "verdict");
        var data = new Dictionary<string, object?>();
        var idleSeconds = context.Int("idle-seconds", 150, 70);
        var (requestsPerCheck, checks, requests) = await MeasureIdleRequestsAsync(3, TimeSpan.FromSeconds(idleSeconds));
        table.Add("S3 requests per instance per check, nothing changed (3 instances)", requestsPerCheck.ToString("F2", CultureInfo.InvariantCulture),
            $"{checks} checks, {requests} requests", "1 conditional GET per certificate", requestsPerCheck <= 1.0 ? "met" : "missed");
        data["idle"] = new { requestsPerCheck, checks, requests, idleSeconds };

        var rounds = context.Int("rounds", 3, 1);
        foreach (var size in context.Quick ? new[] { 3 } : [3, 10])
        {
            var delays = await MeasureConvergenceAsync(size, rounds);
            var summary = Summary.Of(delays);
            table.Add($"renewal published → all {size} instances serve it, s", summary.Format("F1"), delays.Count.ToString(CultureInfo.InvariantCulture),
                "≤ one check interval (60 s)", delays.Count > 0 && summary.Max <= 60 ? "met" : "missed");
            data[$"converge-{size}"] = delays;
        }

        context.Publish("fleet", table.ToString(), data);
        return 0;
    }

    private static async Task<(double PerCheck, int Checks, int Requests)> MeasureIdleRequestsAsync(int size, TimeSpan window)
    {
        await using var fleet = await BenchFleet.StartAsync(size, validitySeconds: null);
        await fleet.WaitForVersionAsync(1, TimeSpan.FromMinutes(3));
        await fleet.WaitAllServeAsync(fleet.ManifestSerial()!, TimeSpan.FromMinutes(2));
        await Task.Delay(TimeSpan.FromSeconds(5)); // let the deferred instances settle
        var startRequests = fleet.S3RequestCount();
        var startChecks = fleet.CheckCount();
        await Task.Delay(window);
        var requests = fleet.S3RequestCount() - startRequests;
        var checks = fleet.CheckCount() - startChecks;
        BenchContext.Log($"idle {window.TotalSeconds:F0} s, {size} instances: {requests} S3 requests, {checks} checks");
        return (checks == 0 ? double.NaN : (double)requests / checks, checks, requests);
    }

    private static async Task<List<double>> MeasureConvergenceAsync(int size, int rounds)
    {
        await using var fleet = await BenchFleet.StartAsync(size, validitySeconds: 60);
        var delays = new List<double>();
        for (var version = 1; version <= rounds + 1; version++)
        {
            var published = await fleet.WaitForVersionAsync(version, TimeSpan.FromMinutes(3));
            var serial = fleet.ManifestSerial()!;
            var served = await fleet.WaitAllServeAsync(serial, TimeSpan.FromMinutes(2));
            var delay = (served - published).TotalSeconds;
            BenchContext.Log($"{size} instances: version {version} ({serial}) served everywhere {delay:F1} s after it was published");
            if (version > 1)
            {
                delays.Add(delay); // version 1 is the fleet's first issuance, not a renewal
            }
        }

        return delays;
    }

    [GeneratedRegex("\"(GET|PUT|HEAD|DELETE|POST) /fleet-", RegexOptions.CultureInvariant)]
    private static partial Regex S3RequestLine();

    /// <summary>The fleet under measurement: CA, Route53, moto S3, N instances (directories, nginx, daemon).</summary>
    private sealed class BenchFleet : IAsyncDisposable
    {
        private readonly IssuanceTestbed _testbed;
        private readonly MotoServer _moto;
        private readonly string _bucket;
        private readonly List<(NginxServer Nginx, Process Daemon, List<string> Lines)> _instances = [];

        private BenchFleet(IssuanceTestbed testbed, MotoServer moto, string bucket)
        {
            _testbed = testbed;
            _moto = moto;
            _bucket = bucket;
        }

        private string? _manifest;

        public static async Task<BenchFleet> StartAsync(int size, int? validitySeconds)
        {
            var testbed = await IssuanceTestbed.StartAsync(
                new PebbleOptions { NonceRejectPercent = 0, AuthorizationReusePercent = 0, ValidityPeriodSeconds = validitySeconds }, TimeSpan.FromMilliseconds(300));
            var moto = await MotoServer.StartAsync();
            var fleet = new BenchFleet(testbed, moto, await S3Buckets.CreateAsync(moto.Endpoint));
            for (var i = 0; i < size; i++)
            {
                await fleet.AddInstanceAsync(i);
            }

            return fleet;
        }

        public int S3RequestCount() => S3RequestLine().Matches(_moto.Output).Count;

        public int CheckCount()
        {
            var count = 0;
            foreach (var (_, _, lines) in _instances)
            {
                lock (lines)
                {
                    count += lines.Count(l => l.Contains("\"CertificateCheckScheduled\"", StringComparison.Ordinal));
                }
            }

            return count;
        }

        public string? ManifestSerial()
        {
            if (_manifest is null)
            {
                return null;
            }

            using var json = JsonDocument.Parse(_manifest);
            return json.RootElement.GetProperty("serial").GetString();
        }

        public async Task<DateTimeOffset> WaitForVersionAsync(int version, TimeSpan within)
        {
            var deadline = TimeProvider.System.GetUtcNow() + within;
            while (TimeProvider.System.GetUtcNow() < deadline)
            {
                _manifest = await S3Buckets.ReadAsync(_moto.Endpoint, _bucket, "fleet/certificates/site/manifest.json");
                if (_manifest is not null)
                {
                    using var json = JsonDocument.Parse(_manifest);
                    if (json.RootElement.GetProperty("version").GetInt32() >= version)
                    {
                        return TimeProvider.System.GetUtcNow();
                    }
                }

                await Task.Delay(100);
            }

            throw new TimeoutException($"version {version} was not published within {within}");
        }

        public async Task<DateTimeOffset> WaitAllServeAsync(string serial, TimeSpan within)
        {
            var deadline = TimeProvider.System.GetUtcNow() + within;
            var pending = _instances.Select(i => i.Nginx).ToList();
            while (pending.Count > 0)
            {
                if (TimeProvider.System.GetUtcNow() > deadline)
                {
                    throw new TimeoutException($"{pending.Count} instances never served {serial}");
                }

                foreach (var nginx in pending.ToList())
                {
                    if (await ServedSerialAsync(nginx.Port) == serial)
                    {
                        pending.Remove(nginx);
                    }
                }

                await Task.Delay(100);
            }

            return TimeProvider.System.GetUtcNow();
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var (nginx, daemon, _) in _instances)
            {
                if (!daemon.HasExited)
                {
                    daemon.Kill(entireProcessTree: true);
                    await daemon.WaitForExitAsync();
                }

                daemon.Dispose();
                await nginx.DisposeAsync();
            }

            await _moto.DisposeAsync();
            await _testbed.DisposeAsync();
        }

        private static async Task<string?> ServedSerialAsync(int port)
        {
            try
            {
                using var client = new TcpClient();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await client.ConnectAsync("127.0.0.1", port, timeout.Token);
                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions { TargetHost = "www.example.test", RemoteCertificateValidationCallback = (_, _, _, _) => true }, timeout.Token);
                using var leaf = X509CertificateLoader.LoadCertificate(tls.RemoteCertificate!.GetRawCertData());
                return leaf.SerialNumber.ToLowerInvariant();
            }
            catch (Exception e) when (e is IOException or SocketException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
            {
                return null;
            }
        }

        private async Task AddInstanceAsync(int index)
        {
            var home = Path.Combine(_testbed.Root, "instance-" + index.ToString(CultureInfo.InvariantCulture));
            var live = Path.Combine(home, "letsencrypt", "live", "site");
            var store = new CertificateStore(Path.Combine(home, "letsencrypt"), new CertificateStoreOptions(), TimeProvider.System, NullLogger.Instance);
            await store.CommitAsync("site", Placeholder(), CancellationToken.None);
            var nginx = await NginxServer.StartAsync(new NginxServerOptions
            {
                Sites = [new NginxSite(["example.test", "*.example.test"], Path.Combine(live, "fullchain.pem"), Path.Combine(live, "privkey.pem"))],
            });
            var config = Path.Combine(home, "certdaemon.json");
            await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["Acme"] = new Dictionary<string, object?>
                {
                    ["DirectoryUrl"] = _testbed.Pebble.DirectoryUrl.ToString(),
                    ["Email"] = "bench@example.test",
                    ["AcceptTermsOfService"] = true,
                    ["TrustedCaFile"] = _testbed.Pebble.TlsRootPemPath,
                },
                ["StateDirectory"] = Path.Combine(home, "state"),
                ["CertificateDirectory"] = Path.Combine(home, "letsencrypt"),
                ["Dns"] = new Dictionary<string, object?> { ["Nameservers"] = new[] { $"127.0.0.1:{_testbed.Pebble.DnsPort}" } },
                ["Nginx"] = new Dictionary<string, object?> { ["TestCommand"] = nginx.TestCommand, ["ReloadCommand"] = nginx.ReloadCommand, ["VerifyAddress"] = nginx.Address },
                ["Renewal"] = new Dictionary<string, object?> { ["CheckInterval"] = "00:01:00" },
                ["Fleet"] = new Dictionary<string, object?> { ["Bucket"] = _bucket, ["Prefix"] = "fleet/", ["LeaseDuration"] = "00:00:15" },
                ["Certificates"] = new[] { new Dictionary<string, object?> { ["Name"] = "site", ["Domains"] = new[] { "example.test", "*.example.test" } } },
                // Checks are counted from the scheduler's Debug event.
                ["Serilog"] = new Dictionary<string, object?> { ["MinimumLevel"] = new Dictionary<string, object?> { ["Default"] = "Debug", ["Override"] = new Dictionary<string, object?> { ["Microsoft"] = "Warning", ["Quartz"] = "Warning", ["System"] = "Warning" } } },
            }));

            var start = new ProcessStartInfo(BenchContext.CertDaemonPath, ["run", "--log-format", "json", "--config", config])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var (key, value) in _testbed.AwsEnvironment)
            {
                start.Environment[key] = value;
            }

            start.Environment["AWS_ENDPOINT_URL_S3"] = _moto.Endpoint.ToString();
            start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
            var lines = new List<string>();
            var daemon = Process.Start(start)!;
            daemon.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (lines)
                    {
                        lines.Add(e.Data);
                    }
                }
            };
            daemon.ErrorDataReceived += (_, _) => { };
            daemon.BeginOutputReadLine();
            daemon.BeginErrorReadLine();
            _instances.Add((nginx, daemon, lines));
        }

        /// <summary>A self-signed stand-in so nginx can start before the fleet's first certificate exists.</summary>
        private static CertificateMaterial Placeholder()
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=example.test", key, HashAlgorithmName.SHA256);
            using var certificate = request.CreateSelfSigned(TimeProvider.System.GetUtcNow().AddMinutes(-1), TimeProvider.System.GetUtcNow().AddDays(1));
            var pem = certificate.ExportCertificatePem();
            return new CertificateMaterial(pem, pem, key.ExportPkcs8PrivateKeyPem());
        }
    }
}
