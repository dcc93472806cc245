using System.Text.Json;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;
using CertDaemon.Tests.Cli;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Reliability;

/// <summary>
/// The short version of the reliability benchmark (bench/ reliability, docs/benchmarks.md): the real
/// <c>certdaemon issue</c> against pebble rejecting half of all nonces and a Route53 that throttles 30% and fails
/// 10% of requests with HTTP 500. Every issuance must succeed. Counts, not timings, are asserted.
/// </summary>
public sealed class FaultyUpstreamIssuanceTests(ITestOutputHelper output)
{
    private const int Issuances = 5;

    [Fact]
    public async Task Issuances_succeed_despite_bad_nonces_throttling_and_server_errors()
    {
        var root = Path.Combine(Path.GetTempPath(), "certdaemon-reliability-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        await using var pebble = await PebbleServer.StartAsync(new PebbleOptions { NonceRejectPercent = 50, AuthorizationReusePercent = 0 });
        await using var route53 = await Route53Emulator.StartAsync(new Route53EmulatorOptions { InSyncDelay = TimeSpan.FromMilliseconds(300) }, pebble.ChallTestSrv);
        route53.AddHostedZone("example.test", nameServers: ["ns1.example.test"]);
        route53.Faults.ThrottlingProbability = 0.3;
        route53.Faults.InternalErrorProbability = 0.1;
        var config = Path.Combine(root, "certdaemon.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["Acme"] = new Dictionary<string, object?>
            {
                ["DirectoryUrl"] = pebble.DirectoryUrl.ToString(),
                ["Email"] = "ops@example.test",
                ["AcceptTermsOfService"] = true,
                ["TrustedCaFile"] = pebble.TlsRootPemPath,
            },
            ["StateDirectory"] = Path.Combine(root, "state"),
            ["CertificateDirectory"] = Path.Combine(root, "letsencrypt"),
            ["Route53"] = new Dictionary<string, object?> { ["PropagationTimeout"] = "00:01:00" },
            ["Dns"] = new Dictionary<string, object?> { ["Nameservers"] = new[] { $"127.0.0.1:{pebble.DnsPort}" } },
            ["Nginx"] = new Dictionary<string, object?> { ["Enabled"] = false },
        }));
        var environment = new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = Route53EmulatorOptions.DefaultCredential.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = Route53EmulatorOptions.DefaultCredential.SecretAccessKey,
            ["AWS_REGION"] = "us-east-1",
            ["AWS_ENDPOINT_URL_ROUTE_53"] = route53.Endpoint.ToString(),
        };

        try
        {
            for (var i = 0; i < Issuances; i++)
            {
                var name = $"r{i}";
                var result = await CliProcess.RunAsync(["issue", "-d", $"{name}.example.test", "-d", $"*.{name}.example.test", "--name", name, "--config", config], environment);
                Assert.True(result.ExitCode == 0, $"issuance {i}: {result}\n{pebble.Logs}");
            }

            var requests = Enum.GetValues<Route53Operation>().Sum(o => route53.GetStats(o).Requests);
            var succeeded = Enum.GetValues<Route53Operation>().Sum(o => route53.GetStats(o).Succeeded);
            output.WriteLine($"{Issuances}/{Issuances} issued; Route53 requests {requests}, faulted and retried {requests - succeeded}");
            // The faults were really there: retries happened.
            Assert.True(requests > succeeded, "no Route53 request was faulted: the fault knobs did not take effect");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
