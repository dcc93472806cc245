using CertDaemon.Acme;
using CertDaemon.Issuance;
using CertDaemon.Testbed.Pebble;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Tests.Issuance;

/// <summary>A registered account at a real pebble, an issuer on top of it, and a challtestsrv-backed solver.</summary>
internal sealed class IssuanceHarness : IDisposable
{
    private readonly HttpClient _http;

    private IssuanceHarness(HttpClient http, AcmeClient acme, ChallTestSrvDnsSolver solver)
    {
        _http = http;
        Acme = acme;
        Solver = solver;
        Issuer = new CertificateIssuer(acme, TimeProvider.System, NullLogger<CertificateIssuer>.Instance);
    }

    public AcmeClient Acme { get; }

    public ChallTestSrvDnsSolver Solver { get; }

    public CertificateIssuer Issuer { get; }

    public static async Task<IssuanceHarness> CreateAsync(PebbleServer pebble, Uri? directoryUrl = null)
    {
        var http = pebble.CreateHttpClient();
        var acme = new AcmeClient(
            http, directoryUrl ?? pebble.DirectoryUrl, AccountKey.Generate(), TimeProvider.System, NullLogger<AcmeClient>.Instance,
            new AcmeClientOptions { PollInitialInterval = TimeSpan.FromMilliseconds(100) });
        var account = await acme.CreateAccountAsync(new NewAccountOptions { Contact = ["mailto:ops@example.test"], TermsOfServiceAgreed = true }, CancellationToken.None);
        acme.AccountUrl = account.Url;
        return new IssuanceHarness(http, acme, new ChallTestSrvDnsSolver(pebble.ChallTestSrv));
    }

    public Task<IssuedCertificate> IssueAsync(params string[] domains) =>
        Issuer.IssueAsync(new IssuanceRequest("test", domains), Solver, CancellationToken.None);

    public void Dispose()
    {
        Acme.Dispose();
        _http.Dispose();
    }
}
