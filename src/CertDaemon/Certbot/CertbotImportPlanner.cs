using CertDaemon.Kernel;
using CertDaemon.Configuration;

namespace CertDaemon.Certbot;

/// <summary>
/// Decides, for every certbot lineage, the equivalent CertDaemon certificate and what cannot be carried over. Pure:
/// the lineages (renewal configuration + live certificate facts), the hooks found and the current options in; the plan out.
/// </summary>
internal static class CertbotImportPlanner
{
    /// <summary>Let's Encrypt's production directory, as certbot stores it in <c>server</c>.</summary>
    public const string LetsEncryptProduction = "https://acme-v02.api.letsencrypt.org/directory";

    /// <summary>Let's Encrypt's staging directory (certificates no browser trusts).</summary>
    public const string LetsEncryptStaging = "https://acme-staging-v02.api.letsencrypt.org/directory";

    /// <param name="lineages">Each lineage with its live certificate, or the reason it could not be read.</param>
    /// <param name="hooks">The hooks certbot would run for each lineage, by name (directory hooks and its own).</param>
    /// <param name="options">The current configuration (what is already configured, the CA, <c>Certbot.RunHooks</c>).</param>
    public static IReadOnlyList<CertbotImportEntry> Plan(
        IReadOnlyList<(CertbotRenewalConfiguration Configuration, LiveCertificateFacts? Live, string? Problem)> lineages,
        IReadOnlyDictionary<string, IReadOnlyList<CertbotHook>> hooks,
        CertDaemonOptions options)
    {
        ArgumentNullException.ThrowIfNull(lineages);
        ArgumentNullException.ThrowIfNull(options);
        var entries = new List<CertbotImportEntry>();
        foreach (var (configuration, live, problem) in lineages)
        {
            var notes = new List<string>();
            if (live is null)
            {
                notes.Add($"its live certificate cannot be read ({problem}); fix or remove the lineage, then run import-certbot again");
                entries.Add(new CertbotImportEntry(configuration.Name, [], null, CertbotImportAction.Skipped, notes));
                continue;
            }

            var domains = WithoutWildcardCovered(live.Domains, notes);
            var keyType = live.KeyType is { } k ? KeyTypeNames.ToName(k) : null;
            if (keyType is null)
            {
                notes.Add($"its key ({live.KeyDescription}) is not one CertDaemon issues; add it by hand with one of {string.Join(", ", KeyTypeNames.All)}");
            }

            notes.Add(DescribeAuthenticator(configuration));
            if (configuration.Installer is { } installer)
            {
                notes.Add($"certbot's '{installer}' installer edited the web server configuration; CertDaemon leaves it as it is (it keeps reading live/{configuration.Name}/) and only tests and reloads nginx");
            }

            notes.Add(DescribeServer(configuration.Server, options.Acme.DirectoryUrl));
            foreach (var hook in hooks.GetValueOrDefault(configuration.Name) ?? [])
            {
                notes.Add(options.Certbot.RunHooks
                    ? $"hook {hook.Source}: CertDaemon runs it around each renewal as certbot did (Certbot.RunHooks)"
                    : $"hook {hook.Source}: NOT run, Certbot.RunHooks is false: move it into DeployHooks");
            }

            var existing = options.Certificates.FirstOrDefault(c => string.Equals(c.Name, configuration.Name, StringComparison.Ordinal));
            CertbotImportAction action;
            if (keyType is null)
            {
                action = CertbotImportAction.Skipped;
            }
            else if (existing is null)
            {
                action = CertbotImportAction.Add;
            }
            else if (existing.Domains.SequenceEqual(domains, StringComparer.OrdinalIgnoreCase) && string.Equals(KeyTypeNames.ToName(existing.KeyType), keyType, StringComparison.Ordinal))
            {
                action = CertbotImportAction.AlreadyConfigured;
            }
            else
            {
                action = CertbotImportAction.ConfiguredDifferently;
                notes.Add($"configured as {string.Join(", ", existing.Domains)} ({KeyTypeNames.ToName(existing.KeyType)}), certbot's certificate is {string.Join(", ", domains)} ({keyType}): left as configured; the next renewal issues what is configured");
            }

            entries.Add(new CertbotImportEntry(configuration.Name, domains, keyType, action, notes));
        }

        return entries;
    }

    /// <summary>
    /// CAs refuse an order naming both <c>*.example.com</c> and <c>www.example.com</c> (and the configuration check
    /// does too): the wildcard covers the other name, which is left out (said in the notes).
    /// </summary>
    private static List<string> WithoutWildcardCovered(IReadOnlyList<string> names, List<string> notes)
    {
        var result = new List<string>();
        foreach (var name in names)
        {
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            if (!name.StartsWith("*.", StringComparison.Ordinal) && dot > 0 && names.Contains("*" + name[dot..], StringComparer.OrdinalIgnoreCase))
            {
                notes.Add($"{name} is left out: *{name[dot..]} covers it (a CA refuses both in one order)");
                continue;
            }

            result.Add(name);
        }

        return result;
    }

    private static string DescribeAuthenticator(CertbotRenewalConfiguration configuration) => configuration.Authenticator switch
    {
        "webroot" => "certbot proved control over HTTP-01 with files in a web root (webroot); CertDaemon uses DNS-01 through Route53 instead: each name's zone must be in Route53 (certdaemon iam-policy prints the permissions), and port 80 is no longer needed for certificates",
        "standalone" => "certbot proved control over HTTP-01 with its own web server on port 80 (standalone); CertDaemon uses DNS-01 through Route53 instead: each name's zone must be in Route53, and nothing has to stop nginx any more",
        "nginx" or "apache" => $"certbot proved control over HTTP-01 through {configuration.Authenticator}; CertDaemon uses DNS-01 through Route53 instead: each name's zone must be in Route53 (certdaemon iam-policy prints the permissions)",
        "manual" => "certbot used manual hooks (manual_auth_hook) to publish challenges; CertDaemon publishes DNS-01 records through Route53 itself: each name's zone must be in Route53, and the manual hooks are not needed",
        { } dns when dns.StartsWith("dns-", StringComparison.Ordinal) => $"certbot used DNS-01 through its {dns} plugin; CertDaemon answers DNS-01 through Route53: each name's zone must be in Route53",
        null => "certbot's authenticator is not recorded; CertDaemon uses DNS-01 through Route53: each name's zone must be in Route53",
        var other => $"certbot's '{other}' authenticator is replaced by DNS-01 through Route53: each name's zone must be in Route53",
    };

    private static string DescribeServer(string? server, Uri configured)
    {
        var from = server switch
        {
            LetsEncryptProduction => "Let's Encrypt (production)",
            LetsEncryptStaging => "Let's Encrypt STAGING (certificates browsers do not trust)",
            null => "an unrecorded CA",
            _ => $"the CA at {server}",
        };
        return string.Equals(server, configured.ToString(), StringComparison.Ordinal)
            ? $"issued by {from}, the CA CertDaemon is configured for (Acme.DirectoryUrl)"
            : $"issued by {from}; CertDaemon renews it from {configured} (Acme.DirectoryUrl): change that first if this is not what you want";
    }
}
