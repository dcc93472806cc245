namespace CertDaemon.Configuration;

/// <summary>nginx deployment (section <c>Nginx</c>): test, reload, then check what is served.</summary>
internal sealed record NginxOptions
{
    /// <summary>The default command timeout, 30 seconds.</summary>
    public static readonly TimeSpan DefaultCommandTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Whether nginx is deployed to at all. The default value is <see langword="true"/>.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Configuration test command (argv, no shell). The default value is <c>["nginx", "-t"]</c>.</summary>
    public IReadOnlyList<string> TestCommand { get; init; } = ["nginx", "-t"];

    /// <summary>Reload command (argv, no shell). The default value is <c>["systemctl", "reload", "nginx"]</c>.</summary>
    public IReadOnlyList<string> ReloadCommand { get; init; } = ["systemctl", "reload", "nginx"];

    /// <summary><c>host:port</c> probed after a reload to see the served certificate; <see langword="null"/> skips the probe. The default value is <c>127.0.0.1:443</c>.</summary>
    public string? VerifyAddress { get; init; } = "127.0.0.1:443";

    /// <summary>Time limit for each command. The default value is 00:00:30; at most 00:10:00.</summary>
    public TimeSpan CommandTimeout { get; init; } = DefaultCommandTimeout;
}
