using CertDaemon.Configuration;
using CertDaemon.Deployment;
using CertDaemon.Deployment.Nginx;
using CertDaemon.Processes;
using CertDaemon.Testbed.Nginx;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Deployment;

/// <summary>The nginx deployer against a real nginx, checked with the test's own TLS handshakes.</summary>
public sealed class NginxDeployerTests(ITestOutputHelper output)
{
    private static readonly string[] Names = ["a.test", "www.a.test"];

    [Fact]
    public async Task Deploys_S1_then_S2_and_nginx_serves_each_new_serial()
    {
        using var lineage = new TestLineage("a", Names);
        lineage.SwitchTo(lineage.AddVersion());
        await using var nginx = await NginxServer.StartAsync(SitesFor(lineage));
        var logger = new CapturingLogger<NginxDeployer>();
        using var deployer = CreateDeployer(nginx.ToNginxOptions(), lineage, logger);

        await FailureReport.WithLogsAsync(output, () => nginx.Logs + "\n" + logger, async () =>
        {
            var first = await deployer.DeployAsync(lineage.Context(1), CancellationToken.None);
            var s1 = Assert.IsType<DeploymentResult.Succeeded>(first);
            Assert.Empty(s1.Warnings);
            Assert.Equal(lineage.SerialOf(1), s1.Holding.Serial);
            Assert.True(s1.Holding.Verified);
            Assert.Equal(lineage.SerialOf(1), await TlsHandshake.EventuallyServedSerialAsync(nginx.Port, "a.test", lineage.SerialOf(1)));

            lineage.SwitchTo(lineage.AddVersion());
            var second = await deployer.DeployAsync(lineage.Context(2), CancellationToken.None);

            var s2 = Assert.IsType<DeploymentResult.Succeeded>(second);
            Assert.Empty(s2.Warnings);
            foreach (var name in Names)
            {
                Assert.Equal(lineage.SerialOf(2), await TlsHandshake.EventuallyServedSerialAsync(nginx.Port, name, lineage.SerialOf(2)));
            }

            Assert.Equal(2, nginx.ReloadSignalCount);
            var reloaded = logger.Named("NginxReloaded").ToList();
            Assert.Equal([lineage.SerialOf(1), lineage.SerialOf(2)], reloaded.Select(e => e.Property("Serial")));
            Assert.All(reloaded, e => Assert.Equal("a", e.Property("CertificateName")));
            Assert.Empty(lineage.RollbackCalls);
        });
    }

    [Fact]
    public async Task Starts_on_a_self_signed_placeholder_then_the_first_deployment_replaces_it()
    {
        using var lineage = new TestLineage("a", Names);
        await using var nginx = await NginxServer.StartAsync(SitesFor(lineage) with { WriteSelfSignedIfMissing = true });
        var placeholder = await TlsHandshake.ServedSerialAsync(nginx.Port, "a.test");

        lineage.SwitchTo(lineage.AddVersion());
        using var deployer = CreateDeployer(nginx.ToNginxOptions(), lineage, new CapturingLogger<NginxDeployer>());
        var result = await deployer.DeployAsync(lineage.Context(1), CancellationToken.None);

        Assert.IsType<DeploymentResult.Succeeded>(result);
        Assert.NotEqual(placeholder, lineage.SerialOf(1));
        Assert.Equal(lineage.SerialOf(1), await TlsHandshake.EventuallyServedSerialAsync(nginx.Port, "a.test", lineage.SerialOf(1)));
    }

    [Fact]
    public async Task Broken_configuration_rolls_back_does_not_reload_and_reports_nginx_own_error_then_the_retry_deploys()
    {
        using var lineage = new TestLineage("a", Names);
        lineage.SwitchTo(lineage.AddVersion());
        await using var nginx = await NginxServer.StartAsync(SitesFor(lineage));
        var s1 = lineage.SerialOf(1);
        var reloadMarker = Path.Combine(nginx.Prefix, "reload-ran");
        var options = nginx.ToNginxOptions() with
        {
            // The real reload, behind a shell line that records that it ran at all.
            ReloadCommand = ["/bin/sh", "-c", "echo ran >> \"$0\" && exec \"$@\"", reloadMarker, .. nginx.ReloadCommand],
        };
        var logger = new CapturingLogger<NginxDeployer>();
        using var deployer = CreateDeployer(options, lineage, logger);
        var masterPid = nginx.MasterPid;

        await FailureReport.WithLogsAsync(output, () => nginx.Logs + "\n" + logger, async () =>
        {
            lineage.SwitchTo(lineage.AddVersion());
            nginx.BreakConfiguration();

            var result = await deployer.DeployAsync(lineage.Context(2), CancellationToken.None);

            var failed = Assert.IsType<DeploymentResult.Failed>(result);
            Assert.Equal(DeploymentStage.ConfigurationTest, failed.Stage);
            Assert.Contains("[emerg]", failed.ToolOutput, StringComparison.Ordinal);
            Assert.Contains("unexpected \"}\"", failed.ToolOutput, StringComparison.Ordinal);
            Assert.Contains("unexpected \"}\"", failed.Message, StringComparison.Ordinal);
            Assert.Equal(new LiveRollbackResult.RolledBack(s1), failed.Rollback);
            Assert.Equal(lineage.SerialOf(2), Assert.Single(lineage.RollbackCalls).Serial);
            Assert.Equal(1, lineage.LiveVersion);

            Assert.False(File.Exists(reloadMarker), "the reload command must not run after a failed test");
            Assert.Equal(0, nginx.ReloadSignalCount);
            Assert.Equal(masterPid, nginx.ReadPidFile());
            Assert.Equal(s1, await TlsHandshake.ServedSerialAsync(nginx.Port, "a.test"));
            Assert.Single(logger.Named("NginxConfigurationTestFailed"));
            Assert.Empty(logger.Named("NginxReloaded"));

            // Next check: the configuration is fixed, the store switches forward again, nothing is issued.
            nginx.RestoreConfiguration();
            lineage.SwitchTo(2);
            var retried = await deployer.DeployAsync(lineage.Context(2), CancellationToken.None);

            Assert.IsType<DeploymentResult.Succeeded>(retried);
            Assert.True(File.Exists(reloadMarker));
            Assert.Equal(lineage.SerialOf(2), await TlsHandshake.EventuallyServedSerialAsync(nginx.Port, "a.test", lineage.SerialOf(2)));
            Assert.Equal(masterPid, nginx.ReadPidFile());
        });
    }

    [Fact]
    public async Task Nginx_serving_other_files_for_a_name_is_a_mismatch_warning_not_a_rollback()
    {
        using var lineage = new TestLineage("ab", ["a.test", "b.test"]);
        lineage.SwitchTo(lineage.AddVersion());
        var otherDirectory = Path.Combine(lineage.Root, "elsewhere");
        var otherSerial = NginxServer.WriteSelfSignedCertificate(
            Path.Combine(otherDirectory, "fullchain.pem"), Path.Combine(otherDirectory, "privkey.pem"), ["b.test"]);
        await using var nginx = await NginxServer.StartAsync(new NginxServerOptions
        {
            Sites =
            [
                new NginxSite(["a.test"], lineage.FullChainPath, lineage.PrivateKeyPath),
                new NginxSite(["b.test"], Path.Combine(otherDirectory, "fullchain.pem"), Path.Combine(otherDirectory, "privkey.pem")),
            ],
        });
        var logger = new CapturingLogger<NginxDeployer>();
        using var deployer = CreateDeployer(nginx.ToNginxOptions(), lineage, logger, TimeSpan.FromSeconds(1));

        await FailureReport.WithLogsAsync(output, () => nginx.Logs + "\n" + logger, async () =>
        {
            var result = await deployer.DeployAsync(lineage.Context(1), CancellationToken.None);

            var succeeded = Assert.IsType<DeploymentResult.Succeeded>(result);
            var warning = Assert.Single(succeeded.Warnings);
            Assert.Equal(DeploymentWarning.ServedCertificateMismatch, warning.Code);
            Assert.Contains("b.test", warning.Message, StringComparison.Ordinal);
            Assert.Contains("may be configured to serve other files", warning.Message, StringComparison.Ordinal);
            Assert.Contains(otherSerial, warning.Message, StringComparison.Ordinal);
            Assert.Null(succeeded.Holding.Serial);
            Assert.Contains(otherSerial + " for b.test", succeeded.Holding.Description, StringComparison.Ordinal);

            var mismatch = Assert.Single(logger.Named("ServedCertificateMismatch"));
            Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, mismatch.Level);
            Assert.Equal(6002, mismatch.EventId.Id);
            Assert.Equal("ab", mismatch.Property("CertificateName"));
            Assert.Equal(lineage.SerialOf(1), mismatch.Property("Expected"));
            Assert.Equal(otherSerial, mismatch.Property("Served"));
            Assert.Equal("b.test", mismatch.Property("ServerName"));

            Assert.Empty(lineage.RollbackCalls);
            Assert.Equal(1, lineage.LiveVersion);
            Assert.Equal(lineage.SerialOf(1), await TlsHandshake.ServedSerialAsync(nginx.Port, "a.test"));
            Assert.Equal(otherSerial, await TlsHandshake.ServedSerialAsync(nginx.Port, "b.test"));
        });
    }

    [Fact]
    public async Task Failed_reload_after_a_passing_test_fails_without_rollback()
    {
        using var lineage = new TestLineage("a", Names);
        lineage.SwitchTo(lineage.AddVersion());
        await using var nginx = await NginxServer.StartAsync(SitesFor(lineage));
        lineage.SwitchTo(lineage.AddVersion());
        var options = nginx.ToNginxOptions() with { ReloadCommand = ["/bin/sh", "-c", "echo 'Job for nginx.service failed.' >&2; exit 1"] };
        using var deployer = CreateDeployer(options, lineage, new CapturingLogger<NginxDeployer>());

        var result = await deployer.DeployAsync(lineage.Context(2), CancellationToken.None);

        var failed = Assert.IsType<DeploymentResult.Failed>(result);
        Assert.Equal(DeploymentStage.Reload, failed.Stage);
        Assert.Contains("Job for nginx.service failed.", failed.ToolOutput, StringComparison.Ordinal);
        Assert.Contains("exit code 1", failed.Message, StringComparison.Ordinal);
        Assert.Null(failed.Rollback);
        Assert.Empty(lineage.RollbackCalls);
        Assert.Equal(2, lineage.LiveVersion);
    }

    [Fact]
    public async Task Missing_test_program_fails_the_test_stage_names_the_program_and_rolls_back()
    {
        using var lineage = new TestLineage("a", Names);
        lineage.SwitchTo(lineage.AddVersion());
        lineage.SwitchTo(lineage.AddVersion());
        var options = new NginxOptions { TestCommand = ["certdaemon-no-such-nginx", "-t"], ReloadCommand = ["/bin/true"], VerifyAddress = null };
        using var deployer = CreateDeployer(options, lineage, new CapturingLogger<NginxDeployer>());

        var result = await deployer.DeployAsync(lineage.Context(2), CancellationToken.None);

        var failed = Assert.IsType<DeploymentResult.Failed>(result);
        Assert.Equal(DeploymentStage.ConfigurationTest, failed.Stage);
        Assert.Contains("program \"certdaemon-no-such-nginx\" was not found", failed.Message, StringComparison.Ordinal);
        Assert.Equal(new LiveRollbackResult.RolledBack(lineage.SerialOf(1)), failed.Rollback);
    }

    [Fact]
    public async Task Deployments_arriving_while_one_runs_share_one_test_and_one_reload_and_each_is_checked_as_served()
    {
        using var first = new TestLineage("a", Names);
        using var second = new TestLineage("b", ["b.test"], first.Root);
        using var third = new TestLineage("c", ["c.test"], first.Root);
        TestLineage[] lineages = [first, second, third];
        foreach (var lineage in lineages)
        {
            lineage.SwitchTo(lineage.AddVersion());
        }

        await using var nginx = await NginxServer.StartAsync(new NginxServerOptions
        {
            Sites = [.. lineages.Select(l => new NginxSite(l.Domains, l.FullChainPath, l.PrivateKeyPath))],
        });
        foreach (var lineage in lineages)
        {
            lineage.SwitchTo(lineage.AddVersion());
        }

        // The test counts its runs; the first one is slow, so b and c arrive while a's deployment is running.
        var tests = Path.Combine(nginx.Prefix, "tests-ran");
        var options = nginx.ToNginxOptions() with
        {
            TestCommand = ["/bin/sh", "-c", "echo ran >> \"$0\"; [ \"$(wc -l < \"$0\")\" -gt 1 ] || sleep 2; exec \"$@\"", tests, .. nginx.TestCommand],
        };
        var logger = new CapturingLogger<NginxDeployer>();
        using var deployer = new NginxDeployer(
            options,
            new CommandRunner(TimeProvider.System),
            new ServedCertificateProbe(TimeProvider.System, new ServedCertificateProbeOptions { Deadline = TimeSpan.FromSeconds(10), RetryInterval = TimeSpan.FromMilliseconds(50) }),
            (context, token) => lineages.Single(l => l.Name == context.CertificateName).RollBackAsync(context, token),
            TimeProvider.System,
            logger);

        await FailureReport.WithLogsAsync(output, () => nginx.Logs + "\n" + logger, async () =>
        {
            var a = deployer.DeployAsync(first.Context(2), CancellationToken.None);
            await Task.Delay(TimeSpan.FromMilliseconds(300)); // a holds the deployer (its test sleeps 2 s)
            var rest = await Task.WhenAll(deployer.DeployAsync(second.Context(2), CancellationToken.None), deployer.DeployAsync(third.Context(2), CancellationToken.None));
            DeploymentResult[] results = [await a, .. rest];

            for (var i = 0; i < lineages.Length; i++)
            {
                var succeeded = Assert.IsType<DeploymentResult.Succeeded>(results[i]);
                Assert.Empty(succeeded.Warnings);
                Assert.Equal(lineages[i].SerialOf(2), succeeded.Holding.Serial);
                Assert.True(succeeded.Holding.Verified);
                Assert.Equal(lineages[i].SerialOf(2), await TlsHandshake.EventuallyServedSerialAsync(nginx.Port, lineages[i].Domains[0], lineages[i].SerialOf(2)));
            }

            // a alone, then b and c together: two tests and two reloads for three deployments.
            Assert.Equal(2, File.ReadAllLines(tests).Length);
            Assert.Equal(2, nginx.ReloadSignalCount);
            Assert.Equal(["a", "b", "c"], logger.Named("NginxReloaded").Select(e => e.Property("CertificateName")));
        });
    }

    [Fact]
    public async Task Without_a_verify_address_a_reload_is_success_but_unverified()
    {
        using var lineage = new TestLineage("a", Names);
        lineage.SwitchTo(lineage.AddVersion());
        var options = new NginxOptions { TestCommand = ["/bin/true"], ReloadCommand = ["/bin/true"], VerifyAddress = null };
        using var deployer = CreateDeployer(options, lineage, new CapturingLogger<NginxDeployer>());

        var result = await deployer.DeployAsync(lineage.Context(1), CancellationToken.None);

        var succeeded = Assert.IsType<DeploymentResult.Succeeded>(result);
        Assert.Equal(lineage.SerialOf(1), succeeded.Holding.Serial);
        Assert.False(succeeded.Holding.Verified);
    }

    internal static NginxServerOptions SitesFor(TestLineage lineage) =>
        new() { Sites = [new NginxSite(lineage.Domains, lineage.FullChainPath, lineage.PrivateKeyPath)] };

    internal static NginxDeployer CreateDeployer(NginxOptions options, TestLineage lineage, CapturingLogger<NginxDeployer> logger, TimeSpan? probeDeadline = null) =>
        new(
            options,
            new CommandRunner(TimeProvider.System),
            new ServedCertificateProbe(TimeProvider.System, new ServedCertificateProbeOptions { Deadline = probeDeadline ?? TimeSpan.FromSeconds(5), RetryInterval = TimeSpan.FromMilliseconds(50) }),
            lineage.RollBackAsync,
            TimeProvider.System,
            logger);
}
