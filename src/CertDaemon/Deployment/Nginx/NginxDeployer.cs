using System.Text;
using CertDaemon.Configuration;
using CertDaemon.Processes;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Deployment.Nginx;

/// <summary>
/// Deploys to nginx the way certbot's nginx plugin does, then checks the result: run the configuration test
/// (<see cref="NginxOptions.TestCommand"/>), reload only when it passed (<see cref="NginxOptions.ReloadCommand"/>),
/// then connect to <see cref="NginxOptions.VerifyAddress"/> and check that each name is answered with the new serial.
/// </summary>
/// <remarks>
/// <para>
/// Test failed (non-zero exit, time limit, program missing): nginx is not reloaded, so it keeps serving what it
/// loaded before; the live links are switched back with the <see cref="LiveVersionRollback"/> so the files on disk
/// match what nginx runs and a reload by anyone else (an operator, a reboot) cannot pick up an untested state.
/// </para>
/// <para>
/// Reload failed after a passing test: no rollback. The new files passed nginx's own test, so they are safe for any
/// later reload; nginx's state is uncertain (a reload command can fail after signalling nginx), and switching the
/// files back would make disk and memory disagree in the other direction. The next check retries test and reload.
/// </para>
/// <para>
/// Served certificate differs after a successful reload: a <see cref="DeploymentWarning.ServedCertificateMismatch"/>
/// warning and the <c>ServedCertificateMismatch</c> event, never a rollback: nginx may be configured to serve other
/// files for that name, which is the operator's call.
/// </para>
/// <para>Deployments are serialized: two certificates never interleave their test and reload. Those that arrive while
/// one is running, or while other issuances are still pending, are then done together (one test, one reload): see
/// <see cref="DeployAsync"/>.</para>
/// </remarks>
internal sealed class NginxDeployer(
    NginxOptions options,
    CommandRunner commands,
    ServedCertificateProbe probe,
    LiveVersionRollback rollback,
    TimeProvider time,
    ILogger<NginxDeployer> logger,
    IPendingIssuances? pendingIssuances = null) : ICertificateDeployer, IDisposable
{
    public const string TargetName = "nginx";

    /// <summary>
    /// How long a deployment waits for the issuances still pending (see <see cref="IPendingIssuances"/>) so that it
    /// shares their reload. Bounded: a slow CA order (DNS propagation can take minutes) must not keep a certificate
    /// that is ready from being served; its predecessor is still valid meanwhile, as renewal comes well before expiry.
    /// </summary>
    public static readonly TimeSpan CoalescingLimit = TimeSpan.FromMinutes(2);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _queueLock = new();
    private List<PendingDeployment> _queue = [];

    public string Target => TargetName;

    public bool AppliesTo(DeploymentScope scope) => scope.Nginx;

    /// <inheritdoc />
    /// <remarks>
    /// A deployment first waits (at most <see cref="CoalescingLimit"/>) until no other issuance is pending, and
    /// deployments that arrive while another is being tested, reloaded or checked wait for it; the waiting ones are
    /// then done together: one configuration test, one reload, then each certificate's served check (several
    /// certificates renewed in the same check cost nginx one reload, not one each). When that shared test fails, they
    /// are done one at a time as a single deployment is (test, roll back the one being deployed), so one bad
    /// certificate cannot hold back the others.
    /// </remarks>
    public async Task<DeploymentResult> DeployAsync(DeploymentContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var pending = new PendingDeployment(context);
        lock (_queueLock)
        {
            _queue.Add(pending);
        }

        try
        {
            if (pendingIssuances is not null)
            {
                pendingIssuances.Deploying(context.CertificateName);
                await pendingIssuances.WaitUntilNoneAsync(CoalescingLimit, cancellationToken);
            }

            await _gate.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            lock (_queueLock)
            {
                if (_queue.Remove(pending))
                {
                    throw;
                }
            }

            return await pending.Outcome.Task; // a batch already running has taken it
        }

        try
        {
            List<PendingDeployment> batch;
            lock (_queueLock)
            {
                (batch, _queue) = (_queue, []);
            }

            if (batch.Count > 0)
            {
                await DeployBatchAsync(batch, cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }

        return await pending.Outcome.Task;
    }

    public void Dispose() => _gate.Dispose();

    private async Task<DeploymentResult> DeployExclusiveAsync(DeploymentContext context, CancellationToken cancellationToken)
    {
        var test = await commands.RunAsync(options.TestCommand, options.CommandTimeout, cancellationToken: cancellationToken);
        if (!test.Succeeded)
        {
            DeploymentLog.NginxConfigurationTestFailed(logger, context.CertificateName, context.Serial, test.Describe(), ToolText(test));
            var rolledBack = await RollBackAsync(context, cancellationToken);
            DeploymentLog.LiveVersionRollback(logger, context.CertificateName, context.Serial, rolledBack.Describe());
            return new DeploymentResult.Failed
            {
                Target = TargetName,
                CertificateName = context.CertificateName,
                Serial = context.Serial,
                Stage = DeploymentStage.ConfigurationTest,
                ToolOutput = ToolText(test),
                Rollback = rolledBack,
                Holding = await ObserveServedAsync(context, "nginx was not reloaded: it keeps serving what it loaded before", cancellationToken),
                Message = $"nginx configuration test failed, so nginx was not reloaded: {test.Describe()}.\n{Indent(ToolText(test))}"
                    + $"{Capitalize(rolledBack.Describe())}. The deployment is retried at the next check without issuing again.",
            };
        }

        DeploymentLog.NginxConfigurationTested(logger, context.CertificateName, context.Serial, ToolText(test));
        var reload = await commands.RunAsync(options.ReloadCommand, options.CommandTimeout, cancellationToken: cancellationToken);
        return reload.Succeeded ? await ReloadedAsync(context, cancellationToken) : ReloadFailed(context, reload);
    }

    /// <summary>Several deployments: one test and one reload for all, each one's served check; see <see cref="DeployAsync"/>.</summary>
    private async Task DeployBatchAsync(List<PendingDeployment> batch, CancellationToken cancellationToken)
    {
        try
        {
            if (batch.Count == 1)
            {
                batch[0].Outcome.TrySetResult(await DeployExclusiveAsync(batch[0].Context, cancellationToken));
                return;
            }

            DeploymentLog.NginxDeploymentsShared(logger, batch.Count, [.. batch.Select(p => p.Context.CertificateName)]);
            var test = await commands.RunAsync(options.TestCommand, options.CommandTimeout, cancellationToken: cancellationToken);
            if (!test.Succeeded)
            {
                // Which certificate broke the test is unknown: one at a time, each tested (and rolled back) on its own.
                foreach (var pending in batch)
                {
                    pending.Outcome.TrySetResult(await DeployExclusiveAsync(pending.Context, cancellationToken));
                }

                return;
            }

            foreach (var pending in batch)
            {
                DeploymentLog.NginxConfigurationTested(logger, pending.Context.CertificateName, pending.Context.Serial, ToolText(test));
            }

            var reload = await commands.RunAsync(options.ReloadCommand, options.CommandTimeout, cancellationToken: cancellationToken);
            foreach (var pending in batch)
            {
                pending.Outcome.TrySetResult(reload.Succeeded ? await ReloadedAsync(pending.Context, cancellationToken) : ReloadFailed(pending.Context, reload));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            // Every waiting caller gets what the one running the batch got; the ones already answered keep their result.
            foreach (var pending in batch)
            {
                pending.Outcome.TrySetException(e);
            }
        }
    }

    private DeploymentResult.Failed ReloadFailed(DeploymentContext context, CommandResult reload)
    {
        DeploymentLog.NginxReloadFailed(logger, context.CertificateName, context.Serial, reload.Describe(), ToolText(reload));
        return new DeploymentResult.Failed
        {
            Target = TargetName,
            CertificateName = context.CertificateName,
            Serial = context.Serial,
            Stage = DeploymentStage.Reload,
            ToolOutput = ToolText(reload),
            Holding = TargetHolding.Unknown("nginx may or may not have reloaded"),
            Message = $"nginx configuration test passed but the reload failed: {reload.Describe()}.\n{Indent(ToolText(reload))}"
                + "The live files stay on the new version (they passed nginx's test); test and reload are retried at the next check.",
        };
    }

    private async Task<DeploymentResult> ReloadedAsync(DeploymentContext context, CancellationToken cancellationToken)
    {
        DeploymentLog.NginxReloaded(logger, context.CertificateName, context.Serial);
        if (options.VerifyAddress is not { } address)
        {
            return new DeploymentResult.Succeeded
            {
                Target = TargetName,
                CertificateName = context.CertificateName,
                Serial = context.Serial,
                Holding = new TargetHolding(context.Serial, Verified: false, "nginx reloaded; what it serves is not checked (Nginx.VerifyAddress is null)"),
                Message = $"nginx tested and reloaded for serial {context.Serial}.",
            };
        }

        return await VerifyServedAsync(context, address, cancellationToken);
    }

    private async Task<DeploymentResult> VerifyServedAsync(DeploymentContext context, string address, CancellationToken cancellationToken)
    {
        // One deadline for all names: the first waits for nginx's new workers, the rest are then checked once each.
        var deadline = time.GetUtcNow() + probe.Options.Deadline;
        var warnings = new List<DeploymentWarning>();
        var served = new List<(string ServerName, string? Serial, DateTimeOffset? NotAfter)>();
        foreach (var domain in context.Domains.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var result = await probe.WaitForSerialAsync(address, domain, context.Serial, deadline, cancellationToken);
            switch (result)
            {
                case ServedCertificateProbeResult.Served { Certificate: var certificate } when certificate.HasSerial(context.Serial):
                    DeploymentLog.ServedCertificateVerified(logger, context.CertificateName, certificate.Serial, result.ServerName, address, result.Attempts);
                    served.Add((result.ServerName, certificate.Serial, certificate.NotAfter));
                    break;
                case ServedCertificateProbeResult.Served { Certificate: var certificate }:
                    DeploymentLog.ServedCertificateMismatch(logger, context.CertificateName, context.Serial, certificate.Serial, result.ServerName, address);
                    served.Add((result.ServerName, certificate.Serial, certificate.NotAfter));
                    warnings.Add(new DeploymentWarning(
                        DeploymentWarning.ServedCertificateMismatch,
                        $"{address} serves serial {certificate.Serial} ({string.Join(", ", certificate.Names)}) for {result.ServerName}, "
                        + $"not the deployed serial {context.Serial}: nginx may be configured to serve other files than {context.FullChainPath} "
                        + "for this name (check ssl_certificate in the server block that answers it). Not rolled back: the configuration test passed."));
                    break;
                case ServedCertificateProbeResult.Unreachable { Error: var error }:
                    DeploymentLog.ServedCertificateUnverified(logger, context.CertificateName, result.ServerName, error);
                    served.Add((result.ServerName, null, null));
                    warnings.Add(new DeploymentWarning(
                        DeploymentWarning.ServedCertificateUnverified,
                        $"could not check what nginx serves for {result.ServerName}: {error} (check Nginx.VerifyAddress)."));
                    break;
            }
        }

        var allNew = served.TrueForAll(s => s.Serial is not null && string.Equals(s.Serial, context.Serial, StringComparison.OrdinalIgnoreCase));
        var distinctSerials = served.Select(s => s.Serial).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var holding = new TargetHolding(
            distinctSerials is [{ } only] ? only : null,
            Verified: distinctSerials is [not null],
            allNew
                ? $"nginx on {address} serves {context.Serial} for {string.Join(", ", served.Select(s => s.ServerName))}"
                : $"nginx on {address} serves " + string.Join(", ", served.Select(s => $"{s.Serial ?? "(unknown)"} for {s.ServerName}")))
        {
            NotAfter = served.Count > 0 && served.TrueForAll(s => s.NotAfter is not null) ? served.Min(s => s.NotAfter) : null,
        };
        return new DeploymentResult.Succeeded
        {
            Target = TargetName,
            CertificateName = context.CertificateName,
            Serial = context.Serial,
            Holding = holding,
            Warnings = warnings,
            Message = warnings.Count == 0
                ? $"nginx tested and reloaded; {address} serves serial {context.Serial} for every name."
                : $"nginx tested and reloaded, but: {string.Join(" ", warnings.Select(w => w.Message))}",
        };
    }

    /// <summary>
    /// What nginx serves now for the first name, after it refused or may have missed the new version: a status that says
    /// "nothing" while nginx serves last month's certificate would hide exactly the expiry an operator must see.
    /// </summary>
    private async Task<TargetHolding> ObserveServedAsync(DeploymentContext context, string description, CancellationToken cancellationToken)
    {
        if (options.VerifyAddress is not { } address || context.Domains.Count == 0)
        {
            return TargetHolding.Unknown(description);
        }

        var result = await probe.ReadAsync(address, context.Domains[0], cancellationToken);
        return result is ServedCertificateProbeResult.Served { Certificate: var certificate }
            ? new TargetHolding(certificate.Serial, Verified: true, $"{description}; {address} serves {certificate.Serial} for {result.ServerName}")
            {
                NotAfter = certificate.NotAfter,
            }
            : TargetHolding.Unknown(description);
    }

    private async Task<LiveRollbackResult> RollBackAsync(DeploymentContext context, CancellationToken cancellationToken)
    {
        try
        {
            return await rollback(context, cancellationToken);
        }
        catch (IOException e)
        {
            // The rollback's contract is to report such failures as results; keep ours (no throw) if it does not.
            return new LiveRollbackResult.Failed(e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            return new LiveRollbackResult.Failed(e.Message);
        }
    }

    private sealed class PendingDeployment(DeploymentContext context)
    {
        public DeploymentContext Context { get; } = context;

        public TaskCompletionSource<DeploymentResult> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static string ToolText(CommandResult result) =>
        result.Status == CommandStatus.NotStarted ? "" : result.Output.TrimEnd() + (result.OutputTruncated ? "\n[output truncated]" : "");

    private static string Indent(string text) =>
        text.Length == 0 ? "" : new StringBuilder().AppendJoin('\n', text.Split('\n').Select(line => "  " + line)).Append('\n').ToString();

    private static string Capitalize(string sentence) => sentence.Length == 0 ? sentence : char.ToUpperInvariant(sentence[0]) + sentence[1..];
}
