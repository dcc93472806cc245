using CertDaemon.Deployment;
using CertDaemon.Deployment.Nginx;
using CertDaemon.Processes;
using CertDaemon.Testbed.Nginx;

using CertDaemon.Tests.Testbed;

namespace CertDaemon.Tests.Deployment;

public sealed class DeployHookRunnerTests
{
    [Fact]
    public async Task Hooks_run_global_first_with_RENEWED_LINEAGE_and_RENEWED_DOMAINS()
    {
        using var lineage = new TestLineage("wild", ["example.test", "*.example.test"]);
        lineage.SwitchTo(lineage.AddVersion());
        var globalEnv = Path.Combine(lineage.Root, "global.env");
        var certificateEnv = Path.Combine(lineage.Root, "certificate.env");
        var order = Path.Combine(lineage.Root, "order");
        var logger = new CapturingLogger<DeployHookRunner>();
        var runner = new DeployHookRunner(new CommandRunner(TimeProvider.System), logger);

        var result = await runner.RunAsync(
            lineage.Context(1),
            [["/bin/sh", "-c", "env > \"$0\"; echo global >> \"$1\"", globalEnv, order]],
            [["/bin/sh", "-c", "env > \"$0\"; echo certificate >> \"$1\"", certificateEnv, order]]);

        Assert.True(result.AllSucceeded);
        Assert.Equal([DeployHookScope.Global, DeployHookScope.Certificate], result.Hooks.Select(h => h.Scope));
        Assert.Equal(["global", "certificate"], await File.ReadAllLinesAsync(order));
        foreach (var file in new[] { globalEnv, certificateEnv })
        {
            var env = await File.ReadAllLinesAsync(file);
            Assert.Contains($"RENEWED_LINEAGE={lineage.LiveDirectory}", env);
            Assert.Contains("RENEWED_DOMAINS=example.test *.example.test", env);
        }

        Assert.Equal(2, logger.Named("DeployHookSucceeded").Count());
    }

    [Fact]
    public async Task A_failing_hook_is_reported_the_others_still_run_and_the_deployment_stands()
    {
        using var lineage = new TestLineage("a", ["a.test"]);
        lineage.SwitchTo(lineage.AddVersion());
        await using var nginx = await NginxServer.StartAsync(NginxDeployerTests.SitesFor(lineage));
        lineage.SwitchTo(lineage.AddVersion());
        using var deployer = NginxDeployerTests.CreateDeployer(nginx.ToNginxOptions(), lineage, new CapturingLogger<NginxDeployer>());
        var deployed = await deployer.DeployAsync(lineage.Context(2), CancellationToken.None);
        Assert.IsType<DeploymentResult.Succeeded>(deployed);

        var ranAfter = Path.Combine(lineage.Root, "ran-after");
        var logger = new CapturingLogger<DeployHookRunner>();
        var runner = new DeployHookRunner(new CommandRunner(TimeProvider.System), logger);
        var hooks = await runner.RunAsync(
            lineage.Context(2),
            [["/bin/sh", "-c", "echo 'cannot restart haproxy' >&2; exit 4"]],
            [["/bin/touch", ranAfter], ["certdaemon-missing-hook"]]);

        Assert.False(hooks.AllSucceeded);
        Assert.Equal(2, hooks.Failures.Count());
        Assert.Equal(4, hooks.Hooks[0].Command.ExitCode);
        Assert.True(hooks.Hooks[1].Succeeded);
        Assert.True(File.Exists(ranAfter));
        Assert.Equal(CommandStatus.NotStarted, hooks.Hooks[2].Command.Status);
        var failedLogs = logger.Named("DeployHookFailed").ToList();
        Assert.Equal(2, failedLogs.Count);
        Assert.Contains("cannot restart haproxy", failedLogs[0].Message, StringComparison.Ordinal);
        Assert.Contains("certdaemon-missing-hook", failedLogs[1].Message, StringComparison.Ordinal);

        Assert.Empty(lineage.RollbackCalls);
        Assert.Equal(2, lineage.LiveVersion);
        Assert.Equal(lineage.SerialOf(2), await TlsHandshake.EventuallyServedSerialAsync(nginx.Port, "a.test", lineage.SerialOf(2)));
    }
}
