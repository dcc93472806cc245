using CertDaemon.Configuration;
using CertDaemon.Kernel;
using CertDaemon.Renewal;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Tests.Renewal;

public sealed class ManagedCertificateCatalogTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("certdaemon-catalog-").FullName;

    [Fact]
    public async Task Find_returns_configured_and_remembered_certificates_and_nothing_for_unknown_or_unsafe_names()
    {
        var options = new CertDaemonOptions
        {
            StateDirectory = _state,
            Certificates = [new CertificateOptions { Name = "site", Domains = ["example.com"], KeyType = KeyType.Rsa2048 }],
        };
        var states = new CertificateStateStore(_state, TimeProvider.System, NullLogger.Instance);
        var catalog = new ManagedCertificateCatalog(options, states);
        await catalog.RememberAdHocAsync("adhoc", ["a.example.com", "*.a.example.com"], KeyType.Ec384, CancellationToken.None);

        var configured = await catalog.FindAsync("site", CancellationToken.None);
        var adHoc = await catalog.FindAsync("adhoc", CancellationToken.None);

        Assert.Equal(KeyType.Rsa2048, configured!.KeyType);
        Assert.False(configured.AdHoc);
        Assert.True(adHoc!.AdHoc);
        Assert.Equal(["a.example.com", "*.a.example.com"], adHoc.Domains);
        Assert.Equal(KeyType.Ec384, adHoc.KeyType);
        Assert.Null(await catalog.FindAsync("missing", CancellationToken.None));
        Assert.Null(await catalog.FindAsync("../adhoc", CancellationToken.None));
        Assert.Equal(["site", "adhoc"], (await catalog.ListAsync(CancellationToken.None)).Select(c => c.Name));
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);
}
