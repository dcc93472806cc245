namespace CertDaemon.Configuration;

/// <summary>
/// Maps the merged configuration onto <see cref="CertDaemonOptions"/> by hand, key by key, so that nothing is
/// silently ignored: unknown keys, wrong types and unparsable values become problems (reported through the
/// nodes' context) and the affected property keeps its default. Semantic rules are <see cref="CertDaemonOptionsValidator"/>'s.
/// </summary>
internal static class OptionsBinder
{
    /// <summary>Top-level sections not bound into <see cref="CertDaemonOptions"/>: read by the logging setup.</summary>
    public static readonly IReadOnlyList<string> PassThroughSections = ["Serilog", "Logging"];

    public static CertDaemonOptions Bind(ConfigurationNode root)
    {
        root.RejectUnknownKeys(
        [
            "Acme", "StateDirectory", "CertificateDirectory", "Route53", "Dns", "Nginx", "Store", "Renewal",
            "DeployHooks", "Certificates", "Certbot", "Metrics", "Notifications", "Testing", "Fleet", .. PassThroughSections,
        ]);
        root.PassThroughObject("Logging");
        if (root.Object("Serilog") is { } serilog)
        {
            SerilogSectionChecker.Check(serilog);
        }

        var defaults = new CertDaemonOptions();
        return new CertDaemonOptions
        {
            Acme = root.Object("Acme") is { } acme ? BindAcme(acme) : defaults.Acme,
            StateDirectory = root.String("StateDirectory") ?? defaults.StateDirectory,
            CertificateDirectory = root.String("CertificateDirectory") ?? defaults.CertificateDirectory,
            Route53 = root.Object("Route53") is { } route53 ? BindRoute53(route53) : defaults.Route53,
            Dns = root.Object("Dns") is { } dns ? BindDns(dns) : defaults.Dns,
            Nginx = root.Object("Nginx") is { } nginx ? BindNginx(nginx) : defaults.Nginx,
            Store = root.Object("Store") is { } store ? BindStore(store) : defaults.Store,
            Renewal = root.Object("Renewal") is { } renewal ? BindRenewal(renewal) : defaults.Renewal,
            DeployHooks = root.StringLists("DeployHooks") ?? defaults.DeployHooks,
            Certbot = root.Object("Certbot") is { } certbot ? BindCertbot(certbot) : defaults.Certbot,
            Certificates = root.Objects("Certificates")?.Select(BindCertificate).ToList() ?? defaults.Certificates,
            Testing = root.Object("Testing") is { } testing ? BindTesting(testing) : defaults.Testing,
            Metrics = root.Object("Metrics") is { } metrics ? BindMetrics(metrics) : defaults.Metrics,
            Notifications = root.Object("Notifications") is { } notifications ? BindNotifications(notifications) : defaults.Notifications,
            Fleet = root.Object("Fleet") is { } fleet ? FleetOptionsBinder.Bind(fleet) : null,
        };
    }

    private static MetricsOptions BindMetrics(ConfigurationNode node)
    {
        node.RejectUnknownKeys("TextfilePath", "ListenAddress");
        return new MetricsOptions { TextfilePath = node.String("TextfilePath"), ListenAddress = node.String("ListenAddress") };
    }

    private static NotificationOptions BindNotifications(ConfigurationNode node)
    {
        node.RejectUnknownKeys("WebhookUrl", "Command", "On");
        var defaults = new NotificationOptions();
        return new NotificationOptions
        {
            WebhookUrl = node.AbsoluteUri("WebhookUrl"),
            Command = node.Strings("Command") ?? defaults.Command,
            On = node.Strings("On") ?? defaults.On,
        };
    }

    private static AcmeOptions BindAcme(ConfigurationNode node)
    {
        node.RejectUnknownKeys("DirectoryUrl", "DryRunDirectoryUrl", "Email", "AcceptTermsOfService", "Profile", "ExternalAccountBinding", "TrustedCaFile", "Fallback");
        var defaults = new AcmeOptions();
        return new AcmeOptions
        {
            DirectoryUrl = node.AbsoluteUri("DirectoryUrl") ?? defaults.DirectoryUrl,
            DryRunDirectoryUrl = node.AbsoluteUri("DryRunDirectoryUrl"),
            Email = node.String("Email"),
            AcceptTermsOfService = node.Boolean("AcceptTermsOfService") ?? defaults.AcceptTermsOfService,
            Profile = node.String("Profile"),
            ExternalAccountBinding = node.Object("ExternalAccountBinding") is { } eab ? BindExternalAccountBinding(eab) : null,
            TrustedCaFile = node.String("TrustedCaFile"),
            Fallback = node.Objects("Fallback")?.Select(BindAcmeFallback).ToList() ?? defaults.Fallback,
        };
    }

    private static AcmeFallbackOptions BindAcmeFallback(ConfigurationNode node)
    {
        node.RejectUnknownKeys("DirectoryUrl", "ExternalAccountBinding", "Profile");
        return new AcmeFallbackOptions
        {
            DirectoryUrl = node.AbsoluteUri("DirectoryUrl"),
            ExternalAccountBinding = node.Object("ExternalAccountBinding") is { } eab ? BindExternalAccountBinding(eab) : null,
            Profile = node.String("Profile"),
        };
    }

    private static TestingOptions BindTesting(ConfigurationNode node)
    {
        node.RejectUnknownKeys("AcmExportSkipChainTrust");
        return new TestingOptions { AcmExportSkipChainTrust = node.Boolean("AcmExportSkipChainTrust") ?? false };
    }

    private static ExternalAccountBindingOptions BindExternalAccountBinding(ConfigurationNode node)
    {
        node.RejectUnknownKeys("KeyId", "HmacKey");
        return new ExternalAccountBindingOptions
        {
            KeyId = node.String("KeyId") ?? "",
            HmacKey = node.String("HmacKey") ?? "",
        };
    }

    private static Route53Options BindRoute53(ConfigurationNode node)
    {
        node.RejectUnknownKeys("HostedZoneId", "RoleArn", "ExternalId", "PropagationTimeout", "PrivateZones", "EndpointUrl");
        var defaults = new Route53Options();
        return new Route53Options
        {
            HostedZoneId = node.String("HostedZoneId"),
            RoleArn = node.String("RoleArn"),
            ExternalId = node.String("ExternalId"),
            PropagationTimeout = node.Duration("PropagationTimeout") ?? defaults.PropagationTimeout,
            PrivateZones = node.Boolean("PrivateZones") ?? defaults.PrivateZones,
            EndpointUrl = node.AbsoluteUri("EndpointUrl"),
        };
    }

    private static DnsOptions BindDns(ConfigurationNode node)
    {
        node.RejectUnknownKeys("Nameservers");
        return new DnsOptions { Nameservers = node.Strings("Nameservers") ?? [] };
    }

    private static NginxOptions BindNginx(ConfigurationNode node)
    {
        node.RejectUnknownKeys("Enabled", "TestCommand", "ReloadCommand", "VerifyAddress", "CommandTimeout");
        var defaults = new NginxOptions();
        return new NginxOptions
        {
            Enabled = node.Boolean("Enabled") ?? defaults.Enabled,
            TestCommand = node.Strings("TestCommand") ?? defaults.TestCommand,
            ReloadCommand = node.Strings("ReloadCommand") ?? defaults.ReloadCommand,
            // Absent keeps the default probe address; an explicit null (or "") switches the probe off.
            VerifyAddress = node.String("VerifyAddress") ?? (node.IsExplicitlyNull("VerifyAddress") ? null : defaults.VerifyAddress),
            CommandTimeout = node.Duration("CommandTimeout") ?? defaults.CommandTimeout,
        };
    }

    private static CertbotOptions BindCertbot(ConfigurationNode node)
    {
        node.RejectUnknownKeys("RunHooks");
        return new CertbotOptions { RunHooks = node.Boolean("RunHooks") ?? new CertbotOptions().RunHooks };
    }

    private static StoreOptions BindStore(ConfigurationNode node)
    {
        node.RejectUnknownKeys("KeepVersions");
        return new StoreOptions { KeepVersions = node.Integer("KeepVersions") ?? new StoreOptions().KeepVersions };
    }

    private static RenewalOptions BindRenewal(ConfigurationNode node)
    {
        node.RejectUnknownKeys("MaxConcurrentIssuances", "CheckInterval");
        var defaults = new RenewalOptions();
        return new RenewalOptions
        {
            MaxConcurrentIssuances = node.Integer("MaxConcurrentIssuances") ?? defaults.MaxConcurrentIssuances,
            CheckInterval = node.Duration("CheckInterval") ?? defaults.CheckInterval,
        };
    }

    private static CertificateOptions BindCertificate(ConfigurationNode node)
    {
        node.RejectUnknownKeys("Name", "Domains", "KeyType", "Nginx", "Acm", "Route53", "Profile", "DeployHooks", "Issuer");
        var defaults = new CertificateOptions();
        return new CertificateOptions
        {
            Name = node.String("Name") ?? "",
            Domains = node.Strings("Domains") ?? [],
            KeyType = node.KeyType("KeyType") ?? defaults.KeyType,
            Nginx = node.Boolean("Nginx") ?? defaults.Nginx,
            Acm = node.Object("Acm") is { } acm ? BindAcm(acm) : null,
            Route53 = node.Object("Route53") is { } route53 ? BindCertificateRoute53(route53) : null,
            Profile = node.String("Profile"),
            DeployHooks = node.StringLists("DeployHooks") ?? [],
            Issuer = node.String("Issuer") ?? defaults.Issuer,
        };
    }

    private static AcmOptions BindAcm(ConfigurationNode node)
    {
        node.RejectUnknownKeys("Regions", "Tags", "CloudFront", "RenewWhenIneligible", "CertificateArn", "ValidationTimeout");
        var defaults = new AcmOptions();
        return new AcmOptions
        {
            Regions = node.Strings("Regions") ?? defaults.Regions,
            Tags = node.StringMap("Tags") ?? defaults.Tags,
            CloudFront = node.Boolean("CloudFront") ?? defaults.CloudFront,
            RenewWhenIneligible = node.Boolean("RenewWhenIneligible") ?? defaults.RenewWhenIneligible,
            CertificateArn = node.String("CertificateArn"),
            ValidationTimeout = node.Duration("ValidationTimeout") ?? defaults.ValidationTimeout,
        };
    }

    private static CertificateRoute53Options BindCertificateRoute53(ConfigurationNode node)
    {
        node.RejectUnknownKeys("HostedZoneId", "RoleArn");
        return new CertificateRoute53Options
        {
            HostedZoneId = node.String("HostedZoneId"),
            RoleArn = node.String("RoleArn"),
        };
    }
}
