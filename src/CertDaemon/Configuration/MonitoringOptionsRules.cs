using System.Globalization;
using System.Net;

namespace CertDaemon.Configuration;

/// <summary>
/// The pure rules of the <c>Metrics</c> and <c>Notifications</c> sections (every problem with its JSON path); whether
/// the textfile's directory and the notification program exist is <see cref="ConfigurationMachineChecks"/>'s.
/// </summary>
internal static class MonitoringOptionsRules
{
    public const string TextfilePath = "$.Metrics.TextfilePath";

    /// <summary>The textfile's path; true when it is well formed, so its directory is worth looking for.</summary>
    public static bool Textfile(string textfile, Action<string, string> report)
    {
        if (!Path.IsPathFullyQualified(textfile))
        {
            report(TextfilePath, $"\"{textfile}\" must be an absolute path");
            return false;
        }

        if (!textfile.EndsWith(".prom", StringComparison.Ordinal))
        {
            report(TextfilePath, $"\"{textfile}\" must end in .prom (node_exporter's textfile collector reads only *.prom)");
            return false;
        }

        return true;
    }

    public static void ListenAddressAndWebhook(CertDaemonOptions options, Action<string, string> report)
    {
        if (options.Metrics.ListenAddress is { } address && ListenProblem(address) is { } listenProblem)
        {
            report("$.Metrics.ListenAddress", listenProblem);
        }

        // The URL often embeds a token: never repeat it in a message.
        if (options.Notifications.WebhookUrl is { } url && url.Scheme != Uri.UriSchemeHttps && !(url.Scheme == Uri.UriSchemeHttp && url.IsLoopback))
        {
            report("$.Notifications.WebhookUrl", "must be an https URL (http only for a receiver on this machine)");
        }
    }

    public static void NotificationKinds(NotificationOptions notifications, Action<string, string> report)
    {
        for (var i = 0; i < notifications.On.Count; i++)
        {
            if (!NotificationOptions.Kinds.Contains(notifications.On[i], StringComparer.Ordinal))
            {
                report($"$.Notifications.On[{i}]", $"\"{notifications.On[i]}\" is not one of {string.Join(", ", NotificationOptions.Kinds)}");
            }
        }
    }

    private static string? ListenProblem(string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return $"\"{address}\" must be ip:port, such as 127.0.0.1:9577 or [::1]:9577";
        }

        var host = address[..colon];
        host = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        return IPAddress.TryParse(host, out _) ? null : $"\"{host}\" must be an IP address (127.0.0.1 keeps the metrics on this machine)";
    }
}
