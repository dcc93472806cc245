using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace CertDaemon.Sandbox;

/// <summary>What a TLS client sees when it connects to nginx with a server name (SNI): our own handshake, independent of CertDaemon's probe.</summary>
internal sealed record ServedCertificateView(
    string ServerName, string Serial, string Subject, string Issuer, DateTimeOffset NotAfter, IReadOnlyList<string> Names,
    SslProtocols Protocol, bool MatchesName, string ChainProblem)
{
    /// <summary>
    /// Connects to <c>127.0.0.1:<paramref name="port"/></c> asking for <paramref name="serverName"/>; when
    /// <paramref name="trustedRoot"/> is given, builds the served chain up to it (the sandbox CA, never the system store).
    /// </summary>
    public static async Task<ServedCertificateView> ReadAsync(int port, string serverName, X509Certificate2? trustedRoot, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        await client.ConnectAsync("127.0.0.1", port, timeout.Token);
        var presented = new X509Certificate2Collection();
        await using var tls = new SslStream(client.GetStream());
        await tls.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = serverName,
                RemoteCertificateValidationCallback = (_, _, chain, _) =>
                {
                    // Keep what the server sent (leaf excluded) and judge it ourselves below.
                    foreach (var certificate in chain?.ChainPolicy.ExtraStore ?? [])
                    {
                        presented.Add(X509CertificateLoader.LoadCertificate(certificate.RawData));
                    }

                    return true;
                },
            },
            timeout.Token);
        using var leaf = X509CertificateLoader.LoadCertificate(tls.RemoteCertificate!.GetRawCertData());
        var names = new List<string>();
        foreach (var extension in leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            names.AddRange(extension.EnumerateDnsNames());
        }

        var chainProblem = "not checked";
        if (trustedRoot is not null)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(trustedRoot);
            chain.ChainPolicy.ExtraStore.AddRange(presented);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chainProblem = chain.Build(leaf)
                ? ""
                : string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).DefaultIfEmpty("the chain does not build"));
        }

        foreach (var certificate in presented)
        {
            certificate.Dispose();
        }

        return new ServedCertificateView(
            serverName, leaf.SerialNumber.ToLowerInvariant(), leaf.Subject, leaf.Issuer, new DateTimeOffset(leaf.NotAfter.ToUniversalTime()),
            names, tls.SslProtocol, leaf.MatchesHostname(serverName), chainProblem);
    }
}
