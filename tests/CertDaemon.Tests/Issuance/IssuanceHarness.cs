using CertDaemon.Acme;
using CertDaemon.Issuance;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Tests.Acme;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Tests.Issuance;

/// <summary>A registered account at a real pebble, an issuer on top of it, and a challtestsrv-backed solver.</summary>
internal sealed class IssuanceHarness : IDisposable
{
    private readonly AcmeTestClient _client;

    private IssuanceHarness(AcmeTestClient client, ChallTestSrvDnsSolver solver)
    {
        _client = client;
        Solver = solver;
        Issuer = new CertificateIssuer(client.Client, TimeProvider.System, NullLogger<CertificateIssuer>.Instance);
    }

    public AcmeClient Acme => _client.Client;

    public ChallTestSrvDnsSolver Solver { get; }

    public CertificateIssuer Issuer { get; }

    public static async Task<IssuanceHarness> CreateAsync(PebbleServer pebble, Uri? directoryUrl = null)
    {
        var client = await AcmeTestClient.CreateRegisteredAsync(
            directoryUrl ?? pebble.DirectoryUrl, pebble, new AcmeClientOptions { PollInitialInterval = TimeSpan.FromMilliseconds(100) });
        return new IssuanceHarness(client, new ChallTestSrvDnsSolver(pebble.ChallTestSrv));
    }

    public Task<IssuedCertificate> IssueAsync(params string[] domains) =>
        Issuer.IssueAsync(new IssuanceRequest("test", domains), Solver, CancellationToken.None);

    public void Dispose() => _client.Dispose();
}
