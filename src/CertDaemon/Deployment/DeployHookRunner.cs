using CertDaemon.Processes;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Deployment;

/// <summary>
/// Runs the deploy hooks after a successful deployment: the global ones, then the certificate's own, each an argv
/// command (no shell) with the environment certbot's <c>--deploy-hook</c> scripts read, so they work unchanged:
/// <c>RENEWED_LINEAGE</c> (the live directory, <c>.../live/NAME</c>) and <c>RENEWED_DOMAINS</c> (the names, space-separated).
/// </summary>
/// <remarks>
/// Every hook runs even when an earlier one failed (they are independent, as in certbot). A failing hook is logged
/// (<c>DeployHookFailed</c>) and reported in the result; it never undoes the deployment and is not retried.
/// </remarks>
internal sealed class DeployHookRunner(CommandRunner commands, ILogger<DeployHookRunner> logger)
{
    /// <summary>The time limit for one hook when the caller gives none, 10 minutes (hooks may restart services).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The variable certbot sets to the certificate's live directory.</summary>
    public const string LineageVariable = "RENEWED_LINEAGE";

    /// <summary>The variable certbot sets to the certificate's names, separated by single spaces.</summary>
    public const string DomainsVariable = "RENEWED_DOMAINS";

    /// <summary>Runs <paramref name="globalHooks"/> then <paramref name="certificateHooks"/> for the deployment described by <paramref name="context"/>.</summary>
    public async Task<DeployHooksResult> RunAsync(
        DeploymentContext context,
        IReadOnlyList<IReadOnlyList<string>> globalHooks,
        IReadOnlyList<IReadOnlyList<string>> certificateHooks,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var environment = new Dictionary<string, string?>
        {
            [LineageVariable] = context.LineageDirectory,
            [DomainsVariable] = string.Join(' ', context.Domains),
        };
        var results = new List<DeployHookResult>();
        foreach (var (scope, hook) in globalHooks.Select(h => (DeployHookScope.Global, h)).Concat(certificateHooks.Select(h => (DeployHookScope.Certificate, h))))
        {
            var result = await commands.RunAsync(hook, timeout ?? DefaultTimeout, environment, cancellationToken);
            if (result.Succeeded)
            {
                DeploymentLog.DeployHookSucceeded(logger, context.CertificateName, result.CommandLine, result.Duration);
            }
            else
            {
                DeploymentLog.DeployHookFailed(logger, context.CertificateName, result.Describe(), result.Output);
            }

            results.Add(new DeployHookResult(scope, result));
        }

        return new DeployHooksResult(results);
    }
}
