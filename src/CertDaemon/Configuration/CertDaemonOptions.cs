namespace CertDaemon.Configuration;

/// <summary>
/// The whole configuration file, bound by <see cref="ConfigurationLoader"/>.
/// Immutable; after validation the certificates' domain lists are normalized (punycode, lower case).
/// </summary>
internal sealed record CertDaemonOptions
{
    /// <summary>The default state directory, <c>/var/lib/certdaemon</c>.</summary>
    public const string DefaultStateDirectory = "/var/lib/certdaemon";

    /// <summary>The default certificate directory, <c>/etc/letsencrypt</c> (certbot's layout).</summary>
    public const string DefaultCertificateDirectory = "/etc/letsencrypt";

    /// <summary>The ACME account and CA. The default is Let's Encrypt production with no account details.</summary>
    public AcmeOptions Acme { get; init; } = new();

    /// <summary>Where accounts, ad-hoc certificates and renewal state live (mode 0700). The default value is <c>/var/lib/certdaemon</c>.</summary>
    public string StateDirectory { get; init; } = DefaultStateDirectory;

    /// <summary>Root of the certbot-style <c>live/</c> and <c>archive/</c> trees. The default value is <c>/etc/letsencrypt</c>.</summary>
    public string CertificateDirectory { get; init; } = DefaultCertificateDirectory;

    /// <summary>Route53 DNS-01 settings shared by every certificate.</summary>
    public Route53Options Route53 { get; init; } = new();

    /// <summary>Propagation-check resolvers.</summary>
    public DnsOptions Dns { get; init; } = new();

    /// <summary>nginx deployment.</summary>
    public NginxOptions Nginx { get; init; } = new();

    /// <summary>Certificate archive retention.</summary>
    public StoreOptions Store { get; init; } = new();

    /// <summary>Renewal scheduling.</summary>
    public RenewalOptions Renewal { get; init; } = new();

    /// <summary>
    /// Commands (argv lists, no shell) run after any certificate is deployed, in order, before the
    /// certificate's own <see cref="CertificateOptions.DeployHooks"/>. The default is none.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> DeployHooks { get; init; } = [];

    /// <summary>What is carried over from certbot on the same tree (its hooks).</summary>
    public CertbotOptions Certbot { get; init; } = new();

    /// <summary>Fleet mode: certificates shared through S3 by several instances. The default is none (one box).</summary>
    public FleetOptions? Fleet { get; init; }

    /// <summary>Prometheus metrics: textfile and loopback listener. The default is none.</summary>
    public MetricsOptions Metrics { get; init; } = new();

    /// <summary>Failure, recovery (and optionally renewal) notifications. The default is none.</summary>
    public NotificationOptions Notifications { get; init; } = new();

    /// <summary>Switches for test setups only; never set in production. The default is none set.</summary>
    public TestingOptions Testing { get; init; } = new();

    /// <summary>The configured certificates. The default is none (ad-hoc certificates only).</summary>
    public IReadOnlyList<CertificateOptions> Certificates { get; init; } = [];
}
