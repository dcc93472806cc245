using CertDaemon.Kernel;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Tests.Configuration;

/// <summary>
/// A certificate name the configuration accepts is one the store can hold, and the other way round: both ask
/// <see cref="CertificateName"/>, so a configured certificate never fails only once it reaches the disk, and an
/// ad-hoc or imported lineage the store keeps can always be written into the configuration.
/// </summary>
public sealed class CertificateNameAgreementTests : IDisposable
{
    private readonly ConfigurationSandbox _sandbox = new();

    public static TheoryData<string> Names => new(
        "example",
        "example.com-0001",
        "a_b.c-d",
        "0starts-with-a-digit",
        new string('a', 64),
        new string('a', 65),
        new string('a', CertificateName.MaxLength),
        new string('a', CertificateName.MaxLength + 1),
        "..",
        "../x",
        ".hidden",
        "-dash",
        "has space",
        "bücher",
        "a/b");

    [Theory]
    [MemberData(nameof(Names))]
    public void The_configuration_and_the_store_accept_the_same_names(string name)
    {
        var configuration = _sandbox.ValidConfiguration();
        configuration["Certificates"]![0]!["Name"] = name;
        var result = _sandbox.Load(configuration);
        var acceptedByConfiguration = !result.Problems.Any(p => p.Path == "$.Certificates[0].Name");

        var states = new CertificateStateStore(_sandbox.StateDirectory, TimeProvider.System, NullLogger.Instance);
        var acceptedByStore = true;
        try
        {
            states.PathOf(name);
        }
        catch (ArgumentException)
        {
            acceptedByStore = false;
        }

        Assert.Equal(acceptedByStore, acceptedByConfiguration);
        Assert.Equal(CertificateName.IsValid(name), acceptedByStore);
    }

    [Fact]
    public void A_name_of_the_longest_length_the_store_keeps_loads()
    {
        var configuration = _sandbox.ValidConfiguration();
        configuration["Certificates"]![0]!["Name"] = new string('n', CertificateName.MaxLength);

        var result = _sandbox.Load(configuration);

        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
    }

    public void Dispose() => _sandbox.Dispose();
}
