using System.Net;
using System.Text.RegularExpressions;

namespace CertDaemon.Configuration;

/// <summary>The pure rules of the DNS side: the <c>Route53</c> section (and its per-certificate overrides) and <c>Dns.Nameservers</c>.</summary>
internal static partial class Route53OptionsRules
{
    private static readonly TimeSpan MaxPropagationTimeout = TimeSpan.FromHours(1);

    public static void Validate(Route53Options route53, Action<string, string> report)
    {
        HostedZoneId(route53.HostedZoneId, "$.Route53.HostedZoneId", report);
        RoleArn(route53.RoleArn, "$.Route53.RoleArn", report);
        if (route53.ExternalId is { } externalId)
        {
            if (!ExternalIdPattern().IsMatch(externalId))
            {
                report("$.Route53.ExternalId", "must be 2-1224 characters of letters, digits and +=,.@:/-");
            }

            if (route53.RoleArn is null)
            {
                report("$.Route53.ExternalId", "has no effect without RoleArn");
            }
        }

        DaemonOptionsRules.Duration(route53.PropagationTimeout, TimeSpan.FromTicks(1), MaxPropagationTimeout, "$.Route53.PropagationTimeout", report);
        if (route53.EndpointUrl is { } endpoint && endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp)
        {
            report("$.Route53.EndpointUrl", $"must be an http or https URL, got \"{endpoint}\"");
        }
    }

    /// <summary>A certificate's own <c>Route53</c> overrides.</summary>
    public static void ValidateOverride(CertificateRoute53Options route53, string path, Action<string, string> report)
    {
        HostedZoneId(route53.HostedZoneId, path + ".HostedZoneId", report);
        RoleArn(route53.RoleArn, path + ".RoleArn", report);
    }

    public static void Nameservers(IReadOnlyList<string> nameservers, Action<string, string> report)
    {
        for (var i = 0; i < nameservers.Count; i++)
        {
            var nameserver = nameservers[i];
            var path = $"$.Dns.Nameservers[{i}]";
            if (!IPEndPoint.TryParse(nameserver, out var endpoint))
            {
                report(path, $"\"{nameserver}\" is not ip[:port] (IPv6 with a port as [::1]:53)");
            }
            else if (endpoint.Port == 0 && nameserver.EndsWith(":0", StringComparison.Ordinal))
            {
                report(path, $"\"{nameserver}\": port 0 is not a port");
            }
        }
    }

    private static void HostedZoneId(string? zoneId, string path, Action<string, string> report)
    {
        if (zoneId is not null && !HostedZoneIdPattern().IsMatch(zoneId))
        {
            report(path, $"\"{zoneId}\" is not a hosted zone id (like Z0123456789ABCDEFGHIJ, optionally prefixed /hostedzone/)");
        }
    }

    private static void RoleArn(string? roleArn, string path, Action<string, string> report)
    {
        if (roleArn is not null && !RoleArnPattern().IsMatch(roleArn))
        {
            report(path, $"\"{roleArn}\" is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)");
        }
    }

    [GeneratedRegex(@"^(/hostedzone/)?[A-Z0-9]{1,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex HostedZoneIdPattern();

    [GeneratedRegex(@"^arn:aws(-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$", RegexOptions.CultureInvariant)]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex(@"^[\w+=,.@:/-]{2,1224}$", RegexOptions.CultureInvariant)]
    private static partial Regex ExternalIdPattern();
}
