using System.CommandLine;
using System.Text;
using CertDaemon.Certbot;
using CertDaemon.Configuration;
using CertDaemon.Processes;

namespace CertDaemon.Cli;

/// <summary>
/// <c>certdaemon import-certbot [--certbot-dir DIR] [--write] [--disable-certbot]</c>: reads certbot's lineages
/// (<c>renewal/*.conf</c> and the live certificates) and prints the equivalent <c>Certificates</c> entries and what
/// cannot be carried over; <c>--write</c> merges them into the configuration file (validated first, a backup kept,
/// nothing changed when there is nothing to add); <c>--disable-certbot</c> stops certbot's own schedule.
/// </summary>
internal static class ImportCertbotCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var certbotDirectory = new Option<string?>("--certbot-dir") { Description = "certbot's configuration directory (default: CertificateDirectory, else /etc/letsencrypt)" };
        var write = new Option<bool>("--write") { Description = "Merge the entries into the configuration file (validated; a backup of the old file is kept)" };
        var disable = new Option<bool>("--disable-certbot") { Description = "Stop and disable certbot.timer and comment out certbot's cron lines (each change printed; reversible)" };
        var command = new Command("import-certbot", "Carry certbot's lineages (renewal/*.conf) over into the configuration") { certbotDirectory, write, disable };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var environment = ConfigurationLoader.ProcessEnvironment();
            var configPath = ConfigurationLoader.ResolvePath(parse.GetValue(CliRoot.ConfigOption), environment);
            CertDaemonOptions options;
            if (File.Exists(configPath))
            {
                var configuration = await ConfiguredAction.LoadAsync(configPath, error, readOnly: false, cancellationToken);
                if (configuration is null)
                {
                    return ExitCodes.Configuration;
                }

                options = configuration.Options;
            }
            else if (parse.GetValue(write))
            {
                error.WriteLine($"{configPath} does not exist: create the configuration first (deploy/certdaemon.example.json), then run import-certbot --write.");
                return ExitCodes.Failed;
            }
            else
            {
                options = new CertDaemonOptions();
            }

            var directory = parse.GetValue(certbotDirectory) ?? options.CertificateDirectory;
            IReadOnlyList<CertbotImportEntry> plan;
            try
            {
                plan = Plan(directory, options);
            }
            catch (CertbotConfigurationException e)
            {
                error.WriteLine(e.Message);
                return ExitCodes.Failed;
            }

            Print(plan, directory, output);
            var exit = ExitCodes.Success;
            if (parse.GetValue(write))
            {
                exit = await WriteAsync(plan, configPath, environment, output, error, cancellationToken);
            }
            else if (plan.Any(e => e.Action == CertbotImportAction.Add))
            {
                output.WriteLine($"Run again with --write to add them to {configPath} (a backup is kept), then: certdaemon config check");
            }

            if (parse.GetValue(disable))
            {
                output.WriteLine();
                output.WriteLine("Stopping certbot's own renewals:");
                var disabler = new CertbotScheduleDisabler(CertbotScheduleLocations.FromEnvironment(environment), new CommandRunner(TimeProvider.System));
                foreach (var line in await disabler.DisableAsync(cancellationToken))
                {
                    output.WriteLine("  " + line);
                }
            }

            return exit;
        });
        return command;
    }

    private static IReadOnlyList<CertbotImportEntry> Plan(string directory, CertDaemonOptions options)
    {
        if (!Directory.Exists(Path.Combine(directory, "renewal")))
        {
            throw new CertbotConfigurationException($"{directory}/renewal does not exist: no certbot lineages there (use --certbot-dir DIR)");
        }

        var lineages = new List<(CertbotRenewalConfiguration, LiveCertificateFacts?, string?)>();
        var hooks = new Dictionary<string, IReadOnlyList<CertbotHook>>(StringComparer.Ordinal);
        foreach (var configuration in CertbotRenewalConfigurationReader.ReadAll(directory))
        {
            var certificate = configuration.CertificatePath ?? Path.Combine(directory, "live", configuration.Name, "cert.pem");
            try
            {
                lineages.Add((configuration, LiveCertificateFacts.FromPem(File.ReadAllText(certificate), certificate), null));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CertbotConfigurationException or System.Security.Cryptography.CryptographicException or FormatException)
            {
                lineages.Add((configuration, null, $"{certificate}: {e.Message}"));
            }

            hooks[configuration.Name] = [.. Enum.GetValues<CertbotHookStage>().SelectMany(stage => CertbotHooks.For(directory, configuration.Name, stage))];
        }

        return CertbotImportPlanner.Plan(lineages, hooks, options);
    }

    private static void Print(IReadOnlyList<CertbotImportEntry> plan, string directory, TextWriter output)
    {
        output.WriteLine($"certbot lineages in {directory}/renewal: {plan.Count}");
        foreach (var entry in plan)
        {
            output.WriteLine();
            var action = entry.Action switch
            {
                CertbotImportAction.Add => "to add",
                CertbotImportAction.AlreadyConfigured => "already configured",
                CertbotImportAction.ConfiguredDifferently => "configured differently (left as configured)",
                _ => "CANNOT be imported",
            };
            output.WriteLine($"{entry.Name}: {action}");
            if (entry.Domains.Count > 0)
            {
                output.WriteLine($"  domains:  {string.Join(", ", entry.Domains)}");
                output.WriteLine($"  key type: {entry.KeyType ?? "(unsupported)"}");
            }

            foreach (var note in entry.Notes)
            {
                output.WriteLine($"  - {note}");
            }
        }

        var toAdd = plan.Where(e => e.Action == CertbotImportAction.Add).ToList();
        output.WriteLine();
        if (toAdd.Count == 0)
        {
            output.WriteLine("Nothing to add: every importable lineage is already configured.");
            return;
        }

        output.WriteLine("Entries for \"Certificates\":");
        foreach (var entry in toAdd)
        {
            output.WriteLine($"  {{ \"Name\": \"{entry.Name}\", \"Domains\": [{string.Join(", ", entry.Domains.Select(d => $"\"{d}\""))}], \"KeyType\": \"{entry.KeyType}\" }}");
        }
    }

    private static async Task<int> WriteAsync(
        IReadOnlyList<CertbotImportEntry> plan, string configPath, IReadOnlyDictionary<string, string?> environment, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var original = await File.ReadAllTextAsync(configPath, cancellationToken);
        string? merged;
        try
        {
            merged = CertbotConfigurationMerge.Merge(original, configPath, plan);
        }
        catch (CertbotConfigurationException e)
        {
            error.WriteLine(e.Message);
            return ExitCodes.Failed;
        }

        if (merged is null)
        {
            output.WriteLine($"{configPath}: nothing changed.");
            return ExitCodes.Success;
        }

        // Validated exactly as the daemon will load it, from a file next to the real one (relative paths resolve alike).
        var candidate = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(configPath))!, "." + Path.GetFileName(configPath) + ".import-certbot");
        await File.WriteAllTextAsync(candidate, merged, cancellationToken);
        ConfigurationLoadResult check;
        try
        {
            check = ConfigurationLoader.Load(candidate, environment);
        }
        finally
        {
            File.Delete(candidate);
        }

        if (!check.Succeeded)
        {
            error.WriteLine($"{configPath}: NOT changed: with the imported certificates the configuration would be invalid:");
            foreach (var problem in check.Problems)
            {
                error.WriteLine(problem.ToString());
            }

            return ExitCodes.Configuration;
        }

        var backup = configPath + ".before-import-certbot";
        if (File.Exists(backup))
        {
            backup += "-" + TimeProvider.System.GetUtcNow().UtcDateTime.ToString("yyyyMMddTHHmmssZ", System.Globalization.CultureInfo.InvariantCulture);
        }

        var mode = File.GetUnixFileMode(configPath);
        File.Copy(configPath, backup);
        File.SetUnixFileMode(backup, mode);
        await Storage.AtomicFile.WriteAsync(configPath, Encoding.UTF8.GetBytes(merged), mode, cancellationToken);
        output.WriteLine($"{configPath}: added {plan.Count(e => e.Action == CertbotImportAction.Add)} certificate(s); the previous file is {backup}. Next: certdaemon config check");
        return ExitCodes.Success;
    }
}
