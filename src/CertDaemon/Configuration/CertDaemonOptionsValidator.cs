using CertDaemon.Processes;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using CertDaemon.Kernel;

namespace CertDaemon.Configuration;

/// <summary>
/// Checks bound <see cref="CertDaemonOptions"/> and reports every problem at once, each with its JSON path (YARP's
/// <c>IConfigValidator</c> style); never stops at the first. Besides pure rules it looks at the machine where that is
/// the point: programs exist, <c>TrustedCaFile</c> parses, directories can be created.
/// </summary>
public static partial class CertDaemonOptionsValidator
{
    /// <summary>RFC 8555 7.4 lets a CA cap identifiers per order; Let's Encrypt allows 100 names per certificate.</summary>
    public const int MaxDomainsPerCertificate = 100;

    private static readonly TimeSpan MaxPropagationTimeout = TimeSpan.FromHours(1);
    private static readonly TimeSpan MaxCommandTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MinCheckInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxCheckInterval = TimeSpan.FromHours(12);

    /// <summary>Validates <paramref name="options"/>.</summary>
    /// <param name="options">Bound options.</param>
    /// <param name="searchPath">The PATH programs are looked up on; <see langword="null"/> means systemd's default PATH.</param>
    /// <param name="readOnly">For commands that only read: directories need not be writable by this user.</param>
    public static ConfigurationValidationResult Validate(CertDaemonOptions options, string? searchPath, bool readOnly = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<ConfigurationProblem>();
        void Report(string path, string message) => problems.Add(new ConfigurationProblem(path, message));

        ValidateAcme(options.Acme, Report);
        ValidateDirectory(options.StateDirectory, "$.StateDirectory", readOnly, Report);
        ValidateDirectory(options.CertificateDirectory, "$.CertificateDirectory", readOnly, Report);
        ValidateRoute53(options.Route53, Report);
        for (var i = 0; i < options.Dns.Nameservers.Count; i++)
        {
            ValidateNameserver(options.Dns.Nameservers[i], $"$.Dns.Nameservers[{i}]", Report);
        }

        ValidateNginx(options.Nginx, searchPath, Report);
        if (options.Store.KeepVersions is < 1 or > 1000)
        {
            Report("$.Store.KeepVersions", $"must be between 1 and 1000 (the live version counts), got {options.Store.KeepVersions}");
        }

        if (options.Renewal.MaxConcurrentIssuances is < 1 or > 16)
        {
            Report("$.Renewal.MaxConcurrentIssuances", $"must be between 1 and 16, got {options.Renewal.MaxConcurrentIssuances}");
        }

        ValidateDuration(options.Renewal.CheckInterval, MinCheckInterval, MaxCheckInterval, "$.Renewal.CheckInterval", Report);
        ValidateCommands(options.DeployHooks, "$.DeployHooks", searchPath, Report);
        FleetOptionsRules.Validate(options.Fleet, Report);
        MonitoringOptionsValidator.Validate(options, searchPath, Report);

        var certificates = new List<CertificateOptions>(options.Certificates.Count);
        var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Certificates.Count; i++)
        {
            var certificate = options.Certificates[i];
            var path = $"$.Certificates[{i}]";
            if (!string.IsNullOrEmpty(certificate.Name) && !names.TryAdd(certificate.Name, i))
            {
                Report(path + ".Name", $"duplicate name \"{certificate.Name}\" (also $.Certificates[{names[certificate.Name]}].Name; names are compared ignoring case)");
            }

            certificates.Add(ValidateCertificate(certificate, path, searchPath, Report));
        }

        return new ConfigurationValidationResult(problems, options with { Certificates = certificates });
    }

    private static void ValidateDirectoryUrl(Uri url, string path, Action<string, string> report)
    {
        if (url.Scheme == Uri.UriSchemeHttp)
        {
            if (!url.IsLoopback)
            {
                report(path, $"must use https; http is accepted only for a CA on this machine (localhost, 127.0.0.1, ::1), got \"{url}\"");
            }
        }
        else if (url.Scheme != Uri.UriSchemeHttps)
        {
            report(path, $"must be an https URL, got \"{url}\"");
        }

        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            report(path, "must not contain a user name or password");
        }
    }

    private static void ValidateAcme(AcmeOptions acme, Action<string, string> report)
    {
        ValidateDirectoryUrl(acme.DirectoryUrl, "$.Acme.DirectoryUrl", report);
        if (acme.DryRunDirectoryUrl is { } dryRun)
        {
            ValidateDirectoryUrl(dryRun, "$.Acme.DryRunDirectoryUrl", report);
        }

        if (acme.Email is { } email)
        {
            ValidateEmail(email, report);
        }

        if (!acme.AcceptTermsOfService)
        {
            report("$.Acme.AcceptTermsOfService", "must be true: read the CA's terms of service (the directory's meta.termsOfService) and accept them to register an account");
        }

        ValidateProfile(acme.Profile, "$.Acme.Profile", report);

        if (acme.ExternalAccountBinding is { } eab)
        {
            ValidateExternalAccountBinding(eab, "$.Acme.ExternalAccountBinding", report);
        }

        ValidateFallbacks(acme, report);

        if (acme.TrustedCaFile is { } caFile)
        {
            ValidateTrustedCaFile(caFile, report);
        }
    }

    private static void ValidateExternalAccountBinding(ExternalAccountBindingOptions eab, string path, Action<string, string> report)
    {
        var hasKeyId = !string.IsNullOrEmpty(eab.KeyId);
        var hasHmac = !string.IsNullOrEmpty(eab.HmacKey);
        if (!hasKeyId && !hasHmac)
        {
            report(path, "KeyId and HmacKey are both required (remove the section if the CA needs no external account binding)");
        }
        else if (!hasKeyId)
        {
            report(path + ".KeyId", "required when HmacKey is set (both come from the CA)");
        }
        else if (!hasHmac)
        {
            report(path + ".HmacKey", "required when KeyId is set (both come from the CA)");
        }

        // The key is a secret: messages never repeat it.
        if (hasHmac && !IsBase64Url(eab.HmacKey))
        {
            report(path + ".HmacKey", "is not valid base64url (RFC 4648 section 5: letters, digits, '-' and '_', optional '=' padding)");
        }
    }

    private static void ValidateEmail(string email, Action<string, string> report)
    {
        const string path = "$.Acme.Email";
        if (email.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
        {
            report(path, "write the address without \"mailto:\"");
            return;
        }

        var at = email.LastIndexOf('@');
        if (at <= 0 || at == email.Length - 1 || !EmailLocalPart().IsMatch(email[..at]))
        {
            report(path, $"\"{email}\" is not a plausible email address (expected local@domain)");
            return;
        }

        if (!DomainNameNormalizer.TryNormalize(email[(at + 1)..], allowWildcard: false, out _, out var error))
        {
            report(path, $"the domain of \"{email}\" is invalid: {error}");
        }
    }

    private static void ValidateProfile(string? profile, string path, Action<string, string> report)
    {
        if (profile is not null && !ProfileName().IsMatch(profile))
        {
            report(path, $"\"{profile}\" is not a profile name (1-64 of A-Z a-z 0-9 . _ -; the CA lists its profiles in the directory's meta.profiles)");
        }
    }

    private static bool IsBase64Url(string value)
    {
        var trimmed = value.TrimEnd('=');
        if (trimmed.Length == 0 || value.Length - trimmed.Length > 2 || trimmed.Length % 4 == 1)
        {
            return false;
        }

        return trimmed.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
    }

    private static void ValidateTrustedCaFile(string file, Action<string, string> report)
    {
        const string path = "$.Acme.TrustedCaFile";
        if (!Path.IsPathFullyQualified(file))
        {
            report(path, $"\"{file}\" must be an absolute path");
            return;
        }

        if (!File.Exists(file))
        {
            report(path, $"\"{file}\" does not exist");
            return;
        }

        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(file);
            if (certificates.Count == 0)
            {
                report(path, $"\"{file}\" contains no PEM certificate (-----BEGIN CERTIFICATE-----)");
            }
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            report(path, $"\"{file}\" cannot be read as PEM certificates: {e.Message}");
        }
        finally
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }
    }

    private static void ValidateDirectory(string directory, string path, bool readOnly, Action<string, string> report)
    {
        if (!Path.IsPathFullyQualified(directory))
        {
            report(path, $"\"{directory}\" must be an absolute path");
            return;
        }

        if (File.Exists(directory))
        {
            report(path, $"\"{directory}\" exists and is not a directory");
            return;
        }

        // The directory, or the nearest existing ancestor it would be created in, must be writable by us.
        var existing = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        while (!Directory.Exists(existing))
        {
            var parent = Path.GetDirectoryName(existing);
            if (parent is null || File.Exists(parent))
            {
                report(path, $"\"{directory}\" cannot be created: \"{parent ?? existing}\" is not a directory");
                return;
            }

            existing = parent;
        }

        if (!readOnly && !UnixFileAccess.CanCreateIn(existing))
        {
            report(path, existing == Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory))
                ? $"\"{directory}\" is not writable by this user"
                : $"\"{directory}\" cannot be created: \"{existing}\" is not writable by this user");
        }
    }

    private static void ValidateRoute53(Route53Options route53, Action<string, string> report)
    {
        ValidateHostedZoneId(route53.HostedZoneId, "$.Route53.HostedZoneId", report);
        ValidateRoleArn(route53.RoleArn, "$.Route53.RoleArn", report);
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

        ValidateDuration(route53.PropagationTimeout, TimeSpan.FromTicks(1), MaxPropagationTimeout, "$.Route53.PropagationTimeout", report);
        if (route53.EndpointUrl is { } endpoint && endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp)
        {
            report("$.Route53.EndpointUrl", $"must be an http or https URL, got \"{endpoint}\"");
        }
    }

    private static void ValidateHostedZoneId(string? zoneId, string path, Action<string, string> report)
    {
        if (zoneId is not null && !HostedZoneIdPattern().IsMatch(zoneId))
        {
            report(path, $"\"{zoneId}\" is not a hosted zone id (like Z0123456789ABCDEFGHIJ, optionally prefixed /hostedzone/)");
        }
    }

    private static void ValidateRoleArn(string? roleArn, string path, Action<string, string> report)
    {
        if (roleArn is not null && !RoleArnPattern().IsMatch(roleArn))
        {
            report(path, $"\"{roleArn}\" is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)");
        }
    }

    private static void ValidateNameserver(string nameserver, string path, Action<string, string> report)
    {
        if (!IPEndPoint.TryParse(nameserver, out var endpoint))
        {
            report(path, $"\"{nameserver}\" is not ip[:port] (IPv6 with a port as [::1]:53)");
        }
        else if (endpoint.Port == 0 && nameserver.EndsWith(":0", StringComparison.Ordinal))
        {
            report(path, $"\"{nameserver}\": port 0 is not a port");
        }
    }

    private static void ValidateNginx(NginxOptions nginx, string? searchPath, Action<string, string> report)
    {
        if (nginx.Enabled)
        {
            ValidateCommand(nginx.TestCommand, "$.Nginx.TestCommand", searchPath, report);
            ValidateCommand(nginx.ReloadCommand, "$.Nginx.ReloadCommand", searchPath, report);
        }

        if (nginx.VerifyAddress is { } address && !IsHostAndPort(address))
        {
            report("$.Nginx.VerifyAddress", $"\"{address}\" is not host:port (like 127.0.0.1:443 or [::1]:443)");
        }

        ValidateDuration(nginx.CommandTimeout, TimeSpan.FromTicks(1), MaxCommandTimeout, "$.Nginx.CommandTimeout", report);
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
            return IPAddress.TryParse(host[1..^1], out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        }

        return (IPAddress.TryParse(host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            || host == "localhost"
            || DomainNameNormalizer.TryNormalize(host, allowWildcard: false, out _, out _);
    }

    private static void ValidateDuration(TimeSpan value, TimeSpan min, TimeSpan max, string path, Action<string, string> report)
    {
        if (value < min || value > max)
        {
            var lower = min <= TimeSpan.FromTicks(1) ? "positive" : "at least " + DurationFormat.Format(min);
            report(path, $"must be {lower} and at most {DurationFormat.Format(max)}, got {DurationFormat.Format(value)}");
        }
    }

    private static void ValidateCommands(IReadOnlyList<IReadOnlyList<string>> commands, string path, string? searchPath, Action<string, string> report)
    {
        for (var i = 0; i < commands.Count; i++)
        {
            ValidateCommand(commands[i], $"{path}[{i}]", searchPath, report);
        }
    }

    private static void ValidateCommand(IReadOnlyList<string> argv, string path, string? searchPath, Action<string, string> report)
    {
        if (argv.Count == 0)
        {
            report(path, "must be a non-empty argv list such as [\"/usr/sbin/nginx\", \"-t\"] (no shell is used)");
            return;
        }

        if (ExecutableLocator.Check(argv[0], searchPath) is { } error)
        {
            report(path + "[0]", error);
        }
    }

    private static CertificateOptions ValidateCertificate(CertificateOptions certificate, string path, string? searchPath, Action<string, string> report)
    {
        if (string.IsNullOrEmpty(certificate.Name))
        {
            report(path + ".Name", "required (the directory name under live/ and archive/)");
        }
        else if (!CertificateName().IsMatch(certificate.Name))
        {
            report(path + ".Name", $"\"{certificate.Name}\" is not a safe file name (1-64 of A-Z a-z 0-9 . _ -, starting with a letter or digit)");
        }

        var domains = ValidateDomains(certificate.Domains, path + ".Domains", report);
        ValidateProfile(certificate.Profile, path + ".Profile", report);
        if (certificate.Route53 is { } route53)
        {
            ValidateHostedZoneId(route53.HostedZoneId, path + ".Route53.HostedZoneId", report);
            ValidateRoleArn(route53.RoleArn, path + ".Route53.RoleArn", report);
        }

        if (certificate.Acm is { } acm)
        {
            ValidateAcm(acm, certificate.KeyType, path + ".Acm", report);
        }

        ValidateCommands(certificate.DeployHooks, path + ".DeployHooks", searchPath, report);
        ValidateIssuer(certificate, path, report);
        return certificate with { Domains = domains };
    }

    private static List<string> ValidateDomains(IReadOnlyList<string> domains, string path, Action<string, string> report)
    {
        if (domains.Count == 0)
        {
            report(path, "at least one domain is required");
        }
        else if (domains.Count > MaxDomainsPerCertificate)
        {
            report(path, $"{domains.Count} names; a certificate can have at most {MaxDomainsPerCertificate}");
        }

        var normalized = new List<string>(domains.Count);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < domains.Count; i++)
        {
            if (!DomainNameNormalizer.TryNormalize(domains[i], allowWildcard: true, out var name, out var error))
            {
                report($"{path}[{i}]", error);
                normalized.Add(domains[i]);
                continue;
            }

            if (!seen.TryAdd(name, i))
            {
                report($"{path}[{i}]", $"\"{domains[i]}\" is \"{name}\", already listed as Domains[{seen[name]}]");
            }

            normalized.Add(name);
        }

        // Boulder refuses an order naming both *.example.com and www.example.com ("redundant with a wildcard").
        foreach (var (name, index) in seen)
        {
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            if (!name.StartsWith("*.", StringComparison.Ordinal) && seen.TryGetValue("*" + name[dot..], out var wildcardIndex))
            {
                report($"{path}[{index}]", $"\"{name}\" is covered by \"*{name[dot..]}\" (Domains[{wildcardIndex}]); CAs refuse such a redundant order: remove one");
            }
        }

        return normalized;
    }

    private static void ValidateAcm(AcmOptions acm, KeyType keyType, string path, Action<string, string> report)
    {
        if (acm.Regions.Count == 0)
        {
            report(path + ".Regions", "at least one region is required (remove the Acm section to skip ACM)");
        }

        var regions = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < acm.Regions.Count; i++)
        {
            var region = acm.Regions[i];
            if (!RegionName().IsMatch(region))
            {
                report($"{path}.Regions[{i}]", $"\"{region}\" is not an AWS region name (like us-east-1, eu-west-3, us-gov-west-1)");
            }
            else if (!regions.Add(region))
            {
                report($"{path}.Regions[{i}]", $"\"{region}\" is listed twice");
            }
        }

        if (acm.Tags.Count > 50)
        {
            report(path + ".Tags", $"{acm.Tags.Count} tags; ACM allows at most 50");
        }

        foreach (var (key, value) in acm.Tags)
        {
            var tagPath = ConfigurationNode.ChildPath(path + ".Tags", key);
            if (key.Length is < 1 or > 128 || !TagText().IsMatch(key))
            {
                report(tagPath, "tag keys are 1-128 letters, digits, spaces and _ . : / = + - @");
            }
            else if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                report(tagPath, "tag keys starting with \"aws:\" are reserved by AWS");
            }

            if (value.Length > 256 || !TagText().IsMatch(value))
            {
                report(tagPath, "tag values are at most 256 letters, digits, spaces and _ . : / = + - @");
            }
        }

        if (acm.CloudFront)
        {
            if (!regions.Contains("us-east-1"))
            {
                report(path + ".CloudFront", "CloudFront uses ACM certificates from us-east-1 only: add \"us-east-1\" to Regions");
            }

            // CloudFront accepts RSA up to 4096 bits and ECDSA P-256 only (AWS ACM "Prerequisites for importing").
            if (keyType == KeyType.Ec384)
            {
                report(path + ".CloudFront", "CloudFront does not accept ec384 keys: use ec256 or an RSA key type");
            }
        }
    }

    [GeneratedRegex(@"^[^\s@,;<>""()\[\]\\]+$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailLocalPart();

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex ProfileName();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex CertificateName();

    [GeneratedRegex(@"^(/hostedzone/)?[A-Z0-9]{1,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex HostedZoneIdPattern();

    [GeneratedRegex(@"^arn:aws(-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$", RegexOptions.CultureInvariant)]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex(@"^[\w+=,.@:/-]{2,1224}$", RegexOptions.CultureInvariant)]
    private static partial Regex ExternalIdPattern();

    [GeneratedRegex(@"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionName();

    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$", RegexOptions.CultureInvariant)]
    private static partial Regex TagText();
}
