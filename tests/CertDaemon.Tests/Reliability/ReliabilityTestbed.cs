using CertDaemon.Configuration;
using CertDaemon.Dns.Route53;
using Microsoft.Extensions.DependencyInjection;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Tests.Reliability;

/// <summary>Options and in-process graphs for the reliability tests: pebble + challtestsrv and the Route53 emulator.</summary>
internal static class ReliabilityTestbed
{
    public static CertDaemonOptions Options(PebbleServer pebble, Route53Emulator route53, string root, IReadOnlyList<CertificateOptions> certificates) => new()
    {
        Acme = new AcmeOptions
        {
            DirectoryUrl = pebble.DirectoryUrl,
            Email = "ops@example.test",
            AcceptTermsOfService = true,
            TrustedCaFile = pebble.TlsRootPemPath,
        },
        StateDirectory = Path.Combine(root, "state"),
        CertificateDirectory = Path.Combine(root, "letsencrypt"),
        Route53 = new Route53Options { EndpointUrl = route53.Endpoint, PropagationTimeout = TimeSpan.FromSeconds(30) },
        Dns = new DnsOptions { Nameservers = [$"127.0.0.1:{pebble.DnsPort}"] },
        Nginx = new NginxOptions { Enabled = false },
        Certificates = certificates,
    };

    /// <summary>One CertDaemon "process" on <paramref name="options"/>, polling Route53 and DNS quickly.</summary>
    public static InProcessGraph Graph(CertDaemonOptions options, Route53Emulator route53, ILoggerProvider? logs = null) =>
        InProcessGraph.Create(options, route53, logs, services => services.AddSingleton(new Route53SolverOptions
        {
            PropagationTimeout = options.Route53.PropagationTimeout,
            Nameservers = options.Dns.Nameservers,
            InitialPollInterval = TimeSpan.FromMilliseconds(50),
            MaxPollInterval = TimeSpan.FromMilliseconds(250),
        }));
}
