using CertDaemon.Processes;
using System.Globalization;
using System.Net;

namespace CertDaemon.Configuration;

/// <summary>The rules of the <c>Metrics</c> and <c>Notifications</c> sections (every problem with its JSON path).</summary>
internal static class MonitoringOptionsValidator
{
    public static void Validate(CertDaemonOptions options, string? searchPath, Action<string, string> report)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(report);
        if (options.Metrics.TextfilePath is { } textfile)
        {
            const string path = "$.Metrics.TextfilePath";
            if (!Path.IsPathFullyQualified(textfile))
            {
                report(path, $"\"{textfile}\" must be an absolute path");
            }
            else if (!textfile.EndsWith(".prom", StringComparison.Ordinal))
            {
                report(path, $"\"{textfile}\" must end in .prom (node_exporter's textfile collector reads only *.prom)");
            }
            else if (Path.GetDirectoryName(textfile) is { } directory && !Directory.Exists(directory))
            {
                report(path, $"the directory \"{directory}\" does not exist (node_exporter's --collector.textfile.directory)");
            }
        }

        if (options.Metrics.ListenAddress is { } address && ListenProblem(address) is { } listenProblem)
        {
            report("$.Metrics.ListenAddress", listenProblem);
        }

        var notifications = options.Notifications;
        if (notifications.WebhookUrl is { } url)
        {
            // The URL often embeds a token: never repeat it in a message.
            if (url.Scheme != Uri.UriSchemeHttps && !(url.Scheme == Uri.UriSchemeHttp && url.IsLoopback))
            {
                report("$.Notifications.WebhookUrl", "must be an https URL (http only for a receiver on this machine)");
            }
        }

        if (notifications.Command.Count > 0 && ExecutableLocator.Check(notifications.Command[0], searchPath) is { } commandProblem)
        {
            report("$.Notifications.Command[0]", commandProblem);
        }

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
