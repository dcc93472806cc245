using System.Text.Json.Nodes;
using CertDaemon.Configuration;
using CertDaemon.Issuance;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Reliability;

/// <summary>
/// The account key and the account URL in <c>account.json</c> must always belong together, against a real pebble:
/// racing first runs, a deleted key, and a CA that no longer knows the account.
/// </summary>
public sealed class AccountDivergenceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Rounds = 20;
    private PebbleServer _pebble = null!;
    private string _root = null!;

    public async Task InitializeAsync()
    {
        _pebble = await PebbleServer.StartAsync(new PebbleOptions { NonceRejectPercent = 10, AuthorizationReusePercent = 0 });
        _root = Directory.CreateTempSubdirectory("certdaemon-account-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _pebble.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Racing_first_runs_end_with_one_key_and_one_account_that_signs_every_later_request()
    {
        using var http = _pebble.CreateHttpClient();
        var settings = new AcmeAccountSettings(_pebble.DirectoryUrl, "ops@example.test", AcceptTermsOfService: true);
        var diverged = new List<string>();
        for (var round = 1; round <= Rounds; round++)
        {
            // Four CertDaemon processes started at once on a new machine (separate provisioners share only the files).
            var state = Path.Combine(_root, "race-" + round);
            var clients = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
                new AcmeAccountProvisioner(state, TimeProvider.System, NullLoggerFactory.Instance).ConnectAsync(http, settings, CancellationToken.None))));
            var urls = clients.Select(c => c.AccountUrl).Distinct().ToList();
            foreach (var client in clients)
            {
                client.Dispose();
            }

            // The next run signs with the stored key under the stored URL: a mismatch is a JWS verification error.
            using var next = await new AcmeAccountProvisioner(state, TimeProvider.System, NullLoggerFactory.Instance).ConnectAsync(http, settings, CancellationToken.None);
            try
            {
                await next.UpdateContactAsync(["mailto:ops@example.test"], CancellationToken.None);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                diverged.Add($"round {round}: {e.Message}");
            }

            if (urls.Count != 1 || urls[0] != next.AccountUrl)
            {
                diverged.Add($"round {round}: accounts {string.Join(", ", urls)} then {next.AccountUrl}");
            }
        }

        output.WriteLine($"{Rounds} rounds of 4 racing first runs: {diverged.Count} divergences");
        Assert.True(diverged.Count == 0, string.Join("\n", diverged));
    }

    [Fact]
    public async Task A_deleted_account_key_leads_to_a_new_account_never_to_the_old_url_with_a_new_key()
    {
        using var http = _pebble.CreateHttpClient();
        var settings = new AcmeAccountSettings(_pebble.DirectoryUrl, "ops@example.test", AcceptTermsOfService: true);
        var provisioner = new AcmeAccountProvisioner(Path.Combine(_root, "deleted"), TimeProvider.System, NullLoggerFactory.Instance);
        Uri first;
        using (var client = await provisioner.ConnectAsync(http, settings, CancellationToken.None))
        {
            first = client.AccountUrl!;
        }

        var directory = provisioner.AccountDirectory(_pebble.DirectoryUrl);
        File.Delete(Path.Combine(directory, "private_key.pem"));

        using var again = await provisioner.ConnectAsync(http, settings, CancellationToken.None);
        await again.UpdateContactAsync(["mailto:ops@example.test"], CancellationToken.None);
        Assert.NotEqual(first, again.AccountUrl);
        // The old account file is kept for the operator, beside the new one.
        Assert.Single(Directory.GetFiles(directory, "account.json.orphaned-*"));

        // And the run after that uses the new pair as it is.
        using var third = await provisioner.ConnectAsync(http, settings, CancellationToken.None);
        await third.UpdateContactAsync(["mailto:ops@example.test"], CancellationToken.None);
        Assert.Equal(again.AccountUrl, third.AccountUrl);
    }

    [Fact]
    public async Task A_ca_that_no_longer_knows_the_account_gets_the_same_key_registered_again_and_the_issuance_succeeds()
    {
        await using var route53 = await Route53Emulator.StartAsync(new Route53EmulatorOptions { InSyncDelay = TimeSpan.FromMilliseconds(100) }, _pebble.ChallTestSrv);
        route53.AddHostedZone("example.test", nameServers: ["ns1.example.test"]);
        var options = ReliabilityTestbed.Options(_pebble, route53, Path.Combine(_root, "lost"),
            [new CertificateOptions { Name = "site", Domains = ["lost.example.test"], Nginx = false }]);
        await using (var first = ReliabilityTestbed.Graph(options, route53))
        {
            await first.Lifecycle.IssueAndDeployAsync(first.Certificate("site"), CancellationToken.None);
        }

        // The CA forgot the account (a restarted test CA, an account removed): its URL now answers accountDoesNotExist.
        var accountFile = Path.Combine(new AcmeAccountProvisioner(options.StateDirectory, TimeProvider.System, NullLoggerFactory.Instance).AccountDirectory(_pebble.DirectoryUrl), "account.json");
        var saved = JsonNode.Parse(await File.ReadAllTextAsync(accountFile))!;
        var lost = new Uri(_pebble.DirectoryUrl, "/my-account/forgotten-" + Guid.NewGuid().ToString("N"));
        saved["url"] = lost.ToString();
        await File.WriteAllTextAsync(accountFile, saved.ToJsonString());

        var logs = new CapturingLoggerProvider();
        await using var second = ReliabilityTestbed.Graph(options, route53, logs);
        var outcome = await second.Lifecycle.IssueAndDeployAsync(second.Certificate("site"), CancellationToken.None);

        Assert.NotNull(outcome.Issued);
        var registered = Assert.Single(logs.Named("AccountReRegistered"));
        Assert.Equal(lost.ToString(), registered.Property("OldAccountUrl"));
        Assert.DoesNotContain(lost.ToString(), await File.ReadAllTextAsync(accountFile), StringComparison.Ordinal);
    }
}
