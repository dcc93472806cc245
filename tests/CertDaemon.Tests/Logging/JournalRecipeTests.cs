using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CertDaemon.Tests.Cli;
using CertDaemon.Tests.Testbed;

namespace CertDaemon.Tests.Logging;

/// <summary>
/// The <c>journalctl ... | jq</c> recipes of the docs, run by the real <c>journalctl</c> on a real journal file: what
/// <c>certdaemon</c> writes when journald is its stdout (<c>JOURNAL_STREAM</c> set: a <c>&lt;N&gt;</c> priority prefix
/// per line), as journald stores it (the prefix becomes <c>PRIORITY</c>, the rest <c>MESSAGE</c>, under
/// <c>_SYSTEMD_UNIT=certdaemon.service</c>), mixed with the lines systemd itself logs for the unit ("Started
/// certdaemon.service ..."), which are not JSON. The journal file is written by systemd's own
/// <c>systemd-journal-remote</c> from journal export format, in a temporary directory (no journald runs here).
/// </summary>
public sealed partial class JournalRecipeTests : IDisposable
{
    private static readonly string[] JournalRemoteCandidates = ["/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote"];
    private readonly string _root = Directory.CreateTempSubdirectory("certdaemon-journal-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Every_documented_journal_recipe_runs_on_a_real_journal_with_systemds_own_lines()
    {
        var journal = await CaptureJournalAsync();
        var all = await Shell($"journalctl --file='{journal}' -u certdaemon -o cat");
        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Contains("Started certdaemon.service", all.Output, StringComparison.Ordinal);
        Assert.Contains("\"RenewalFailed\"", all.Output, StringComparison.Ordinal);

        // The priority prefix became the entry's priority: `-p err` keeps RenewalFailed and drops systemd's lines.
        var errors = await Shell($"journalctl --file='{journal}' -u certdaemon -p err -o cat");
        Assert.Contains("\"RenewalFailed\"", errors.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Started certdaemon.service", errors.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(errors.Output.Split('\n'), l => l.StartsWith('<'));

        var recipes = Recipes().ToList();
        Assert.True(recipes.Count >= 4, $"found only {recipes.Count} recipes");
        foreach (var (source, recipe) in recipes)
        {
            // The recipe as written, reading this journal file instead of the system journal.
            var result = await Shell(JournalctlAtStart().Replace(recipe, $"journalctl --file='{journal}' ", 1));
            Assert.True(result.ExitCode == 0, $"{source}: {recipe}\n{result}");
            if (recipe.Contains("RenewalFailed", StringComparison.Ordinal) || recipe.Contains("\"Error\"", StringComparison.Ordinal))
            {
                Assert.Contains("RenewalFailed", result.Output, StringComparison.Ordinal);
            }
        }
    }

    private static Task<CliProcess.Result> Shell(string command) => CliProcess.RunProgramAsync("/bin/bash", ["-o", "pipefail", "-c", command]);

    /// <summary>Every line of README.md and docs/*.md that pipes <c>journalctl -u certdaemon -o cat</c> into jq (with continuations).</summary>
    private static IEnumerable<(string Source, string Recipe)> Recipes()
    {
        var files = new[] { Path.Combine(RepositoryRoot.Path, "README.md") }.Concat(Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "docs"), "*.md"));
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (!lines[i].StartsWith("journalctl -u certdaemon -o cat", StringComparison.Ordinal))
                {
                    continue;
                }

                var recipe = lines[i];
                while (recipe.EndsWith('\\') && i + 1 < lines.Length)
                {
                    recipe = recipe[..^1] + " " + lines[++i].Trim();
                }

                if (recipe.Contains("| jq", StringComparison.Ordinal))
                {
                    yield return ($"{Path.GetFileName(file)}:{i + 1}", recipe);
                }
            }
        }
    }

    /// <summary>
    /// A real <c>certdaemon renew</c> against a CA that is down, with <c>JOURNAL_STREAM</c> set so it writes what it
    /// writes under systemd; stored as journald stores a unit's stdout (one entry per line, the <c>&lt;N&gt;</c> prefix
    /// taken as the priority, 6 without one) between systemd's own start and stop entries; returns the journal file.
    /// </summary>
    private async Task<string> CaptureJournalAsync()
    {
        var config = Path.Combine(_root, "certdaemon.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["Acme"] = new Dictionary<string, object?> { ["DirectoryUrl"] = "http://127.0.0.1:9/directory", ["AcceptTermsOfService"] = true },
            ["StateDirectory"] = Path.Combine(_root, "state"),
            ["CertificateDirectory"] = Path.Combine(_root, "letsencrypt"),
            ["Nginx"] = new Dictionary<string, object?> { ["Enabled"] = false },
            ["Certificates"] = new[] { new Dictionary<string, object?> { ["Name"] = "site", ["Domains"] = new[] { "example.test" } } },
        }));
        var renew = await CliProcess.RunProgramAsync(CliProcess.ExecutablePath, ["renew", "--config", config, "--log-format", "json"], new Dictionary<string, string?> { ["JOURNAL_STREAM"] = "8:12345" });
        Assert.True(renew.ExitCode == 1, renew.ToString());
        var lines = renew.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.All(lines.Where(l => l.Contains("\"@t\"", StringComparison.Ordinal)), l => Assert.Matches("^<[0-7]>\\{", l));

        var export = new StringBuilder();
        var clock = TimeProvider.System.GetUtcNow().AddMinutes(-5);
        var bootId = Guid.NewGuid().ToString("N");
        var sequence = 0;
        void Entry(string message, int priority, params string[] fields)
        {
            sequence++;
            var at = clock.AddMilliseconds(sequence * 10);
            export.Append(CultureInfo.InvariantCulture, $"__REALTIME_TIMESTAMP={at.ToUnixTimeMilliseconds() * 1000}\n");
            export.Append(CultureInfo.InvariantCulture, $"__MONOTONIC_TIMESTAMP={sequence * 10_000}\n");
            export.Append(CultureInfo.InvariantCulture, $"_BOOT_ID={bootId}\nPRIORITY={priority}\n");
            foreach (var field in fields)
            {
                export.Append(field).Append('\n');
            }

            export.Append("MESSAGE=").Append(message).Append("\n\n");
        }

        string[] systemd = ["_PID=1", "_UID=0", "_COMM=systemd", "SYSLOG_IDENTIFIER=systemd", "UNIT=certdaemon.service"];
        Entry("Starting certdaemon.service - CertDaemon certificate lifecycle daemon...", 6, systemd);
        Entry("Started certdaemon.service - CertDaemon certificate lifecycle daemon.", 6, systemd);
        foreach (var line in lines)
        {
            var prefixed = PriorityPrefix().Match(line);
            Entry(prefixed.Success ? line[prefixed.Length..] : line, prefixed.Success ? line[1] - '0' : 6,
                "_PID=4242", "_UID=0", "_COMM=certdaemon", "SYSLOG_IDENTIFIER=certdaemon", "_TRANSPORT=stdout", "_SYSTEMD_UNIT=certdaemon.service");
        }

        Entry("Stopping certdaemon.service - CertDaemon certificate lifecycle daemon...", 6, systemd);
        Entry("certdaemon.service: Deactivated successfully.", 6, systemd);

        var exportPath = Path.Combine(_root, "certdaemon.export");
        var journal = Path.Combine(_root, "certdaemon.journal");
        await File.WriteAllTextAsync(exportPath, export.ToString());
        var remote = JournalRemoteCandidates.FirstOrDefault(File.Exists);
        Assert.True(remote is not null, "systemd-journal-remote is missing (Debian package systemd-journal-remote; scripts/test.sh installs it)");
        var written = await Shell($"'{remote}' --output='{journal}' - < '{exportPath}'");
        Assert.True(written.ExitCode == 0, written.ToString());
        return journal;
    }

    [GeneratedRegex(@"^<[0-7]>")]
    private static partial Regex PriorityPrefix();

    [GeneratedRegex(@"^journalctl ")]
    private static partial Regex JournalctlAtStart();
}
