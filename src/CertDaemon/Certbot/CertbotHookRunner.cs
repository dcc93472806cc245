using CertDaemon.Configuration;
using CertDaemon.Processes;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Certbot;

/// <summary>
/// Runs certbot's hooks around CertDaemon's renewals of a lineage on certbot's tree, so services certbot's hooks
/// reloaded (haproxy, postfix, ...) keep getting new certificates after the migration (<see cref="CertbotOptions.RunHooks"/>).
/// </summary>
/// <remarks>
/// Contract: every hook of a stage runs, in certbot's order, even when an earlier one failed; a failure is logged
/// (<c>CertbotHookFailed</c>, with its output) and never undoes or fails the renewal, as in certbot. Deploy hooks get
/// <c>RENEWED_LINEAGE</c> (the live directory) and <c>RENEWED_DOMAINS</c> (space-separated names). Nothing runs when
/// the option is off or the tree has no hooks.
/// </remarks>
internal sealed class CertbotHookRunner(CertDaemonOptions options, CommandRunner commands, ILogger<CertbotHookRunner> logger)
{
    /// <summary>The time limit for one hook, 10 minutes (a hook may restart a service).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    /// <summary>Runs the hooks of <paramref name="stage"/> for the lineage <paramref name="name"/>; returns how many ran and how many failed.</summary>
    public async Task<(int Ran, int Failed)> RunAsync(
        CertbotHookStage stage, string name, IReadOnlyList<string> domains, string lineageDirectory, CancellationToken cancellationToken)
    {
        if (!options.Certbot.RunHooks)
        {
            return (0, 0);
        }

        IReadOnlyList<CertbotHook> hooks;
        try
        {
            hooks = CertbotHooks.For(options.CertificateDirectory, name, stage);
        }
        catch (CertbotConfigurationException e)
        {
            CertbotLog.CertbotHooksUnreadable(logger, name, e.Message);
            return (0, 1);
        }

        var environment = stage == CertbotHookStage.Deploy
            ? new Dictionary<string, string?> { ["RENEWED_LINEAGE"] = lineageDirectory, ["RENEWED_DOMAINS"] = string.Join(' ', domains) }
            : null;
        var failed = 0;
        foreach (var hook in hooks)
        {
            var result = await commands.RunAsync(hook.Command, Timeout, environment, cancellationToken);
            if (result.Succeeded)
            {
                CertbotLog.CertbotHookSucceeded(logger, name, CertbotHooks.DirectoryName(stage), hook.Source, result.Duration);
            }
            else
            {
                failed++;
                CertbotLog.CertbotHookFailed(logger, name, CertbotHooks.DirectoryName(stage), hook.Source, result.Describe(), result.Output);
            }
        }

        return (hooks.Count, failed);
    }
}
