using System.Text.RegularExpressions;
using CertDaemon.Processes;

namespace CertDaemon.Certbot;

/// <summary>
/// <c>import-certbot --disable-certbot</c>: stops certbot renewing by itself, so one tool renews each lineage. Stops and
/// disables <c>certbot.timer</c> and comments out the lines that run certbot in the cron files and root's crontab.
/// </summary>
/// <remarks>
/// Contract: every change is reported (what, where, how to undo it); running it again changes nothing (a commented
/// line is not touched again, a stopped timer is not stopped again). Nothing is deleted: a line becomes
/// <c>#certdaemon-disabled# LINE</c>, so <c>sed -i 's/^#certdaemon-disabled# //' FILE</c> brings it back, and
/// <c>systemctl enable --now certbot.timer</c> restarts the timer. The programs and files are injectable
/// (<see cref="CertbotScheduleLocations"/>) so tests never touch the machine's own.
/// </remarks>
internal sealed partial class CertbotScheduleDisabler(CertbotScheduleLocations locations, CommandRunner commands)
{
    /// <summary>The prefix a disabled line gets.</summary>
    public const string DisabledPrefix = "#certdaemon-disabled# ";

    private static readonly TimeSpan _timeout = TimeSpan.FromMinutes(1);

    /// <summary>Disables everything found; returns one line per change or finding, for the operator.</summary>
    public async Task<IReadOnlyList<string>> DisableAsync(CancellationToken cancellationToken)
    {
        var report = new List<string>();
        await DisableTimerAsync(report, cancellationToken);
        foreach (var file in locations.CronFiles)
        {
            await DisableCronFileAsync(file, report, cancellationToken);
        }

        await DisableRootCrontabAsync(report, cancellationToken);
        return report;
    }

    /// <summary>The text with every active line that runs certbot commented out, and the lines changed.</summary>
    public static (string Text, IReadOnlyList<string> Changed) CommentOut(string text)
    {
        var changed = new List<string>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].TrimStart();
            if (trimmed.Length > 0 && trimmed[0] != '#' && CertbotWord().IsMatch(lines[i]))
            {
                changed.Add(lines[i]);
                lines[i] = DisabledPrefix + lines[i];
            }
        }

        return (string.Join('\n', lines), changed);
    }

    private async Task DisableTimerAsync(List<string> report, CancellationToken cancellationToken)
    {
        var active = await commands.RunAsync([.. locations.Systemctl, "is-active", "certbot.timer"], _timeout, null, cancellationToken);
        if (active.Status != CommandStatus.Exited)
        {
            report.Add($"certbot.timer: {string.Join(' ', locations.Systemctl)} cannot run here ({active.Describe()}); nothing changed");
            return;
        }

        var enabled = await commands.RunAsync([.. locations.Systemctl, "is-enabled", "certbot.timer"], _timeout, null, cancellationToken);
        var wasActive = active.Output.Trim() == "active";
        var wasEnabled = enabled.Output.Trim() is "enabled" or "enabled-runtime";
        if (wasActive)
        {
            var stop = await commands.RunAsync([.. locations.Systemctl, "stop", "certbot.timer"], _timeout, null, cancellationToken);
            report.Add(stop.Succeeded
                ? "certbot.timer: stopped (undo: systemctl start certbot.timer)"
                : $"certbot.timer: stopping FAILED: {stop.Describe()} {stop.Output.Trim()}");
        }

        if (wasEnabled)
        {
            var disable = await commands.RunAsync([.. locations.Systemctl, "disable", "certbot.timer"], _timeout, null, cancellationToken);
            report.Add(disable.Succeeded
                ? "certbot.timer: disabled (undo: systemctl enable certbot.timer)"
                : $"certbot.timer: disabling FAILED: {disable.Describe()} {disable.Output.Trim()}");
        }

        if (!wasActive && !wasEnabled)
        {
            report.Add($"certbot.timer: not active and not enabled ({enabled.Output.Trim()}); nothing changed");
        }
    }

    private static async Task DisableCronFileAsync(string file, List<string> report, CancellationToken cancellationToken)
    {
        if (!File.Exists(file))
        {
            return;
        }

        var (text, changed) = CommentOut(await File.ReadAllTextAsync(file, cancellationToken));
        if (changed.Count == 0)
        {
            report.Add($"{file}: no active certbot line; nothing changed");
            return;
        }

        // cron reads the file whole; replaced atomically with its mode, so cron never sees half of it.
        await Storage.AtomicFile.WriteAsync(file, System.Text.Encoding.UTF8.GetBytes(text), File.GetUnixFileMode(file), cancellationToken);
        report.AddRange(changed.Select(line => $"{file}: commented out: {line.Trim()} (undo: sed -i 's/^{DisabledPrefix}//' {file})"));
    }

    private async Task DisableRootCrontabAsync(List<string> report, CancellationToken cancellationToken)
    {
        var list = await commands.RunAsync([.. locations.Crontab, "-l", "-u", "root"], _timeout, null, cancellationToken);
        if (!list.Succeeded)
        {
            // "no crontab for root" (exit 1) or no crontab program: nothing to change.
            report.Add($"root's crontab: none ({list.Describe()}: {list.Output.Trim()})");
            return;
        }

        var (text, changed) = CommentOut(list.Output);
        if (changed.Count == 0)
        {
            report.Add("root's crontab: no active certbot line; nothing changed");
            return;
        }

        var temporary = Path.Combine(Path.GetTempPath(), "certdaemon-crontab-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(temporary, text.EndsWith('\n') ? text : text + "\n", cancellationToken);
        try
        {
            var install = await commands.RunAsync([.. locations.Crontab, "-u", "root", temporary], _timeout, null, cancellationToken);
            report.AddRange(install.Succeeded
                ? changed.Select(line => $"root's crontab: commented out: {line.Trim()} (undo: crontab -e and remove '{DisabledPrefix}')")
                : [$"root's crontab: installing the changed crontab FAILED: {install.Describe()} {install.Output.Trim()}"]);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    [GeneratedRegex(@"(^|[\s/])certbot(\s|$|-auto\b)")]
    private static partial Regex CertbotWord();
}
