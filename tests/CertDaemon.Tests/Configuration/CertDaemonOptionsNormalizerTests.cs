using CertDaemon.Configuration;

namespace CertDaemon.Tests.Configuration;

/// <summary>The normalizer rewrites domains into ACME form; the validator, which runs on what the operator wrote, never does.</summary>
public sealed class CertDaemonOptionsNormalizerTests
{
    private static CertDaemonOptions Options(params string[] domains) => new()
    {
        Certificates = [new CertificateOptions { Name = "site", Domains = domains }],
    };

    [Fact]
    public void Domains_become_punycode_and_lower_case_and_a_bad_one_stays_as_written()
    {
        var normalized = CertDaemonOptionsNormalizer.Normalize(Options("Bücher.Example.NET", "*.Example.com", "a*.example.com"));

        Assert.Equal(["xn--bcher-kva.example.net", "*.example.com", "a*.example.com"], normalized.Certificates[0].Domains);
    }

    [Fact]
    public void Validating_leaves_the_options_as_written()
    {
        var options = Options("Bücher.Example.NET");

        CertDaemonOptionsValidator.Validate(options, searchPath: null, readOnly: true);

        Assert.Equal(["Bücher.Example.NET"], options.Certificates[0].Domains);
    }
}
