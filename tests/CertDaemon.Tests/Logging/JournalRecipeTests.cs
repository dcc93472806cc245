using System.Text.Json;
using System.Text.RegularExpressions;
using CertDaemon.Tests.Cli;
using CertDaemon.Tests.Testbed;

namespace CertDaemon.Tests.Logging;

/// <summary>
/// The <c>journalctl ... | jq</c> recipes of the docs, run on journal output: what <c>certdaemon</c> writes when
/// journald is its stdout (<c>JOURNAL_STREAM</c> set: a <c>&lt;N&gt;</c> priority prefix journald strips), mixed with the
/// lines systemd itself writes into the unit's journal ("Started certdaemon.service ..."), which are not JSON.
/// </summary>
public sealed partial class JournalRecipeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("certdaemon-journal-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Every_documented_journal_recipe_runs_on_real_output_with_systemds_own_lines()
    {
        var journal = await CaptureJournalAsync();
        Assert.Contains("Started certdaemon.service", journal, StringComparison.Ordinal);
        Assert.Contains("\"RenewalFailed\"", journal, StringComparison.Ordinal);

        var recipes = Recipes().ToList();
        Assert.True(recipes.Count >= 4, $"found only {recipes.Count} recipes");
        var journalPath = Path.Combine(_root, "journal.txt");
        await File.WriteAllTextAsync(journalPath, journal);
        foreach (var (source, recipe) in recipes)
        {
            // `journalctl -u certdaemon -o cat [--since ...]` is what wrote journal.txt.
            var command = JournalctlCat().Replace(recipe, $"cat '{journalPath}'");
            var result = await CliProcess.RunProgramAsync("/bin/bash", ["-o", "pipefail", "-c", command]);
            Assert.True(result.ExitCode == 0, $"{source}: {recipe}\n{result}");
            if (recipe.Contains("RenewalFailed", StringComparison.Ordinal) || recipe.Contains("\"Error\"", StringComparison.Ordinal))
            {
                Assert.Contains("RenewalFailed", result.Output, StringComparison.Ordinal);
            }
        }
    }

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
    /// writes under systemd; then what <c>journalctl -o cat</c> shows: the priority prefix gone, systemd's own lines around.
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
        var events = lines.Select(l => PriorityPrefix().Replace(l, ""));
        return string.Join('\n',
            new[] { "Starting certdaemon.service - CertDaemon certificate lifecycle daemon...", "Started certdaemon.service - CertDaemon certificate lifecycle daemon." }
                .Concat(events)
                .Concat(["Stopping certdaemon.service - CertDaemon certificate lifecycle daemon...", "certdaemon.service: Deactivated successfully.", ""]));
    }

    [GeneratedRegex(@"^<[0-7]>")]
    private static partial Regex PriorityPrefix();

    [GeneratedRegex(@"journalctl -u certdaemon -o cat( --since \S+)?")]
    private static partial Regex JournalctlCat();
}
