using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertDaemon.Acme;
using CertDaemon.Testbed.Pebble;

namespace CertDaemon.Tests.Acme;

/// <summary>
/// The order flow at protocol level, written out in the test so the client's pieces are proven together against
/// pebble (the product's porcelain lives in Issuance/).
/// </summary>
internal static class TestIssuance
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static string NewDomain() => $"t{Guid.NewGuid():N}"[..16] + ".example.test";

    public static async Task<AcmeAccount> RegisterAsync(AcmeClient client) =>
        await client.CreateAccountAsync(new NewAccountOptions { Contact = ["mailto:ops@example.test"], TermsOfServiceAgreed = true }, CancellationToken.None);

    /// <summary>Orders, answers every dns-01 challenge via challtestsrv, finalizes with a fresh P-256 key and downloads the chains.</summary>
    public static async Task<(AcmeOrder Order, IReadOnlyList<AcmeCertificateChain> Chains, ECDsa Key)> IssueAsync(
        AcmeClient client, PebbleServer server, params string[] names)
    {
        var ct = CancellationToken.None;
        var order = await client.NewOrderAsync(new NewOrderOptions { DnsNames = names }, ct);
        await AnswerChallengesAsync(client, server, order, authorization => client.GetDns01TxtValue(authorization.FindChallenge(AcmeChallenge.Dns01)!.Token!));
        foreach (var authorizationUrl in order.Authorizations)
        {
            await client.WaitForAuthorizationAsync(authorizationUrl, Timeout, ct);
        }

        order = await client.WaitForOrderAsync(order.Url, Timeout, ct);
        Assert.Equal(AcmeStatus.Ready, order.Status);

        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        order = await client.FinalizeAsync(order, CreateCsr(key, names), ct);
        order = await client.WaitForOrderAsync(order.Url, Timeout, ct);
        Assert.Equal(AcmeStatus.Valid, order.Status);
        Assert.NotNull(order.Certificate);
        var chains = await client.DownloadCertificateChainsAsync(order.Certificate, ct);
        return (order, chains, key);
    }

    /// <summary>Publishes <paramref name="txtValue"/> for each pending authorization and tells the CA to validate.</summary>
    public static async Task AnswerChallengesAsync(AcmeClient client, PebbleServer server, AcmeOrder order, Func<AcmeAuthorization, string> txtValue)
    {
        var ct = CancellationToken.None;
        foreach (var authorizationUrl in order.Authorizations)
        {
            var authorization = await client.GetAuthorizationAsync(authorizationUrl, ct);
            if (authorization.Status == AcmeStatus.Valid)
            {
                continue;
            }

            var challenge = authorization.FindChallenge(AcmeChallenge.Dns01);
            Assert.NotNull(challenge);
            await server.ChallTestSrv.AddTxtAsync("_acme-challenge." + authorization.Identifier.Value, txtValue(authorization), ct);
            await client.RespondToChallengeAsync(challenge.Url, ct);
        }
    }

    public static byte[] CreateCsr(ECDsa key, IReadOnlyList<string> names)
    {
        var request = new CertificateRequest("CN=" + names[0], key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        return request.CreateSigningRequest();
    }
}
