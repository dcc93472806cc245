using CertDaemon.Configuration;
using CertDaemon.Kernel;
using CertDaemon.Renewal;
using CertDaemon.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Tests.Renewal;

/// <summary>A key-type change is refused at configuration time once ACM holds the certificate under an ARN.</summary>
public sealed class AcmKeyTypeGuardTests : IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), "certdaemon-guard-" + Guid.NewGuid().ToString("N"));

    private async Task RememberAsync(string keyType, string? arn)
    {
        var states = new CertificateStateStore(_state, TimeProvider.System, NullLogger.Instance);
        var now = TimeProvider.System.GetUtcNow();
        await states.SaveAsync(new CertificateState
        {
            Name = "site",
            Current = new CurrentCertificate(1, "0a", ["example.com"], keyType, now, now.AddDays(90), null, new Uri("https://ca.test/dir"), now),
            Targets = arn is null ? new Dictionary<string, TargetState>() : new Dictionary<string, TargetState> { ["acm:us-east-1"] = new() { Arn = arn, HeldSerial = "0a" } },
        }, CancellationToken.None);
    }

    private Task<IReadOnlyList<ConfigurationProblem>> CheckAsync(KeyType keyType) =>
        AcmKeyTypeGuard.CheckAsync(Options(keyType), new CertificateStateStore(_state, TimeProvider.System, NullLogger.Instance), CancellationToken.None);

    private CertDaemonOptions Options(KeyType keyType) => new()
    {
        StateDirectory = _state,
        Certificates = [new CertificateOptions { Name = "site", Domains = ["example.com"], KeyType = keyType, Acm = new AcmOptions { Regions = ["us-east-1"] } }],
    };

    [Fact]
    public async Task Changing_the_key_type_of_a_certificate_imported_into_acm_is_refused_with_the_path_and_the_arn()
    {
        await RememberAsync("ec256", "arn:aws:acm:us-east-1:123456789012:certificate/abc");

        var problem = Assert.Single(await CheckAsync(KeyType.Rsa2048));

        Assert.Equal("$.Certificates[0].KeyType", problem.Path);
        Assert.Contains("arn:aws:acm:us-east-1:123456789012:certificate/abc", problem.Message, StringComparison.Ordinal);
        Assert.Contains("ec256", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_key_type_or_no_arn_yet_passes()
    {
        await RememberAsync("ec256", "arn:aws:acm:us-east-1:123456789012:certificate/abc");
        Assert.Empty(await CheckAsync(KeyType.Ec256));

        await RememberAsync("ec256", arn: null);
        Assert.Empty(await CheckAsync(KeyType.Rsa2048));
    }

    [Fact]
    public async Task A_loaded_configuration_that_changes_the_key_type_becomes_a_configuration_failure()
    {
        await RememberAsync("ec256", "arn:aws:acm:us-east-1:123456789012:certificate/abc");
        var loaded = ConfigurationLoadResult.Success(new LoadedConfiguration("/etc/certdaemon/certdaemon.json", Options(KeyType.Rsa2048), new ConfigurationBuilder().Build()));

        var result = await AcmKeyTypeGuard.ApplyAsync(loaded, TimeProvider.System, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal("/etc/certdaemon/certdaemon.json", result.SourcePath);
        Assert.Equal("$.Certificates[0].KeyType", Assert.Single(result.Problems).Path);
    }

    [Fact]
    public async Task A_loaded_configuration_without_state_passes_unchanged()
    {
        var loaded = ConfigurationLoadResult.Success(new LoadedConfiguration("/etc/certdaemon/certdaemon.json", Options(KeyType.Rsa2048), new ConfigurationBuilder().Build()));

        Assert.Same(loaded, await AcmKeyTypeGuard.ApplyAsync(loaded, TimeProvider.System, CancellationToken.None));
        Assert.False(Directory.Exists(_state));
    }

    public void Dispose()
    {
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }
}
