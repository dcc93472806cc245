namespace CertDaemon.Certbot;

/// <summary>
/// Where certbot's own schedule lives: the <c>systemctl</c> and <c>crontab</c> programs (argv prefixes) and the cron
/// files. Defaults are the real ones; the environment variables (not CERTDAEMON_*: those override configuration keys) <c>CERTBOT_SCHEDULE_SYSTEMCTL</c>,
/// <c>CERTBOT_SCHEDULE_CRONTAB</c> (a program path each) and <c>CERTBOT_SCHEDULE_CRON_FILES</c> (paths separated
/// by <c>:</c>) replace them, for tests and unusual systems.
/// </summary>
internal sealed record CertbotScheduleLocations(IReadOnlyList<string> Systemctl, IReadOnlyList<string> Crontab, IReadOnlyList<string> CronFiles)
{
    /// <summary>systemctl, crontab, <c>/etc/crontab</c> and <c>/etc/cron.d/certbot</c> (Debian/Ubuntu's package schedule).</summary>
    public static CertbotScheduleLocations Default { get; } = new(["systemctl"], ["crontab"], ["/etc/crontab", "/etc/cron.d/certbot"]);

    /// <summary><see cref="Default"/> with the environment's replacements.</summary>
    public static CertbotScheduleLocations FromEnvironment(IReadOnlyDictionary<string, string?> environment) => new(
        environment.GetValueOrDefault("CERTBOT_SCHEDULE_SYSTEMCTL") is { Length: > 0 } systemctl ? [systemctl] : Default.Systemctl,
        environment.GetValueOrDefault("CERTBOT_SCHEDULE_CRONTAB") is { Length: > 0 } crontab ? [crontab] : Default.Crontab,
        environment.GetValueOrDefault("CERTBOT_SCHEDULE_CRON_FILES") is { Length: > 0 } files
            ? files.Split(':', StringSplitOptions.RemoveEmptyEntries)
            : Default.CronFiles);
}
