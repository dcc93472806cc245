using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CertDaemon.Configuration;

/// <summary>
/// The pure rules of how the daemon runs: nginx's verify address and command timeout, the store's and the renewal's
/// bounds, and the shape of a command line (whether its program exists is <see cref="ConfigurationMachineChecks"/>'s).
/// </summary>
internal static class DaemonOptionsRules
{
    private static readonly TimeSpan MaxCommandTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MinCheckInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxCheckInterval = TimeSpan.FromHours(12);

    public static void ValidateNginx(NginxOptions nginx, Action<string, string> report)
    {
        if (nginx.VerifyAddress is { } address && !IsHostAndPort(address))
        {
            report("$.Nginx.VerifyAddress", $"\"{address}\" is not host:port (like 127.0.0.1:443 or [::1]:443)");
        }

        Duration(nginx.CommandTimeout, TimeSpan.FromTicks(1), MaxCommandTimeout, "$.Nginx.CommandTimeout", report);
    }

    public static void ValidateStoreAndRenewal(CertDaemonOptions options, Action<string, string> report)
    {
        if (options.Store.KeepVersions is < 1 or > 1000)
        {
            report("$.Store.KeepVersions", $"must be between 1 and 1000 (the live version counts), got {options.Store.KeepVersions}");
        }

        if (options.Renewal.MaxConcurrentIssuances is < 1 or > 16)
        {
            report("$.Renewal.MaxConcurrentIssuances", $"must be between 1 and 16, got {options.Renewal.MaxConcurrentIssuances}");
        }

        Duration(options.Renewal.CheckInterval, MinCheckInterval, MaxCheckInterval, "$.Renewal.CheckInterval", report);
    }

    /// <summary>An argv list names a program (no shell is used); false, reported, when it is empty.</summary>
    public static bool HasProgram(IReadOnlyList<string> argv, string path, Action<string, string> report)
    {
        if (argv.Count == 0)
        {
            report(path, "must be a non-empty argv list such as [\"/usr/sbin/nginx\", \"-t\"] (no shell is used)");
            return false;
        }

        return true;
    }

    /// <summary>A duration within [<paramref name="min"/>, <paramref name="max"/>]; a minimum of one tick reads "positive".</summary>
    public static void Duration(TimeSpan value, TimeSpan min, TimeSpan max, string path, Action<string, string> report)
    {
        if (value < min || value > max)
        {
            var lower = min <= TimeSpan.FromTicks(1) ? "positive" : "at least " + DurationFormat.Format(min);
            report(path, $"must be {lower} and at most {DurationFormat.Format(max)}, got {DurationFormat.Format(value)}");
        }
    }

    private static bool IsHostAndPort(string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return false;
        }

        var host = address[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            return IPAddress.TryParse(host[1..^1], out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6;
        }

        return (IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork)
            || host == "localhost"
            || DomainNameNormalizer.TryNormalize(host, allowWildcard: false, out _, out _);
    }
}
