using CertDaemon.Configuration;

namespace CertDaemon.Tests.Configuration;

/// <summary><c>renew --dry-run</c> must never reach Let's Encrypt production, however its URL is spelled.</summary>
public sealed class DryRunDirectoryTests
{
    [Theory]
    [InlineData("https://acme-v02.api.letsencrypt.org/directory")]
    [InlineData("https://acme-v02.api.letsencrypt.org/directory/")]
    [InlineData("https://ACME-V02.api.letsencrypt.org/directory")]
    [InlineData("https://acme-v02.api.letsencrypt.org:443/directory")]
    public void The_production_directory_in_any_spelling_dry_runs_against_staging(string production)
    {
        var options = new AcmeOptions { DirectoryUrl = new Uri(production) };

        Assert.Equal(AcmeOptions.LetsEncryptStaging, options.ResolveDryRunDirectoryUrl());
    }

    [Fact]
    public void Another_ca_dry_runs_against_itself_unless_a_test_directory_is_configured()
    {
        var other = new Uri("https://acme.example.test/dir");
        Assert.Equal(other, new AcmeOptions { DirectoryUrl = other }.ResolveDryRunDirectoryUrl());
        var test = new Uri("https://acme.example.test/staging");
        Assert.Equal(test, new AcmeOptions { DirectoryUrl = other, DryRunDirectoryUrl = test }.ResolveDryRunDirectoryUrl());
    }
}
