namespace CertDaemon.Certbot;

/// <summary>
/// The hooks certbot would run for a lineage at a stage, as argv commands: the executables in
/// <c>renewal-hooks/STAGE/</c> (sorted by name, as certbot runs them; files without an execute bit are skipped, as
/// certbot skips them), then the lineage's own shell command from <c>renewal/NAME.conf</c> (run by <c>/bin/sh -c</c>,
/// as certbot does).
/// </summary>
internal static class CertbotHooks
{
    /// <summary>The directory name certbot uses for <paramref name="stage"/> under <c>renewal-hooks/</c>.</summary>
    public static string DirectoryName(CertbotHookStage stage) => stage switch
    {
        CertbotHookStage.Pre => "pre",
        CertbotHookStage.Deploy => "deploy",
        _ => "post",
    };

    /// <summary>The commands, in the order certbot runs them; empty when the tree has none.</summary>
    /// <exception cref="CertbotConfigurationException"><c>renewal/NAME.conf</c> exists but cannot be read.</exception>
    public static IReadOnlyList<CertbotHook> For(string certbotDirectory, string name, CertbotHookStage stage)
    {
        var hooks = new List<CertbotHook>();
        var directory = Path.Combine(certbotDirectory, "renewal-hooks", DirectoryName(stage));
        if (Directory.Exists(directory))
        {
            foreach (var file in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
            {
                if ((File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
                {
                    hooks.Add(new CertbotHook(file, [file]));
                }
            }
        }

        var conf = Path.Combine(certbotDirectory, "renewal", name + ".conf");
        if (File.Exists(conf))
        {
            var lineage = CertbotRenewalConfigurationReader.Read(conf);
            var command = stage switch
            {
                CertbotHookStage.Pre => lineage.PreHook,
                CertbotHookStage.Deploy => lineage.DeployHook,
                _ => lineage.PostHook,
            };
            if (command is not null)
            {
                hooks.Add(new CertbotHook($"{conf} ({(stage == CertbotHookStage.Deploy ? "renew_hook" : DirectoryName(stage) + "_hook")})", ["/bin/sh", "-c", command]));
            }
        }

        return hooks;
    }
}

/// <summary>One hook: where it comes from (for logs and <c>import-certbot</c>) and the argv that runs it.</summary>
internal sealed record CertbotHook(string Source, IReadOnlyList<string> Command);
