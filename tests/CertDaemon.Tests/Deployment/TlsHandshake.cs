using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace CertDaemon.Tests.Deployment;

/// <summary>The test's own TLS client, independent of the product's probe: which leaf does a server present for an SNI name?</summary>
internal static class TlsHandshake
{
    public static async Task<string> ServedSerialAsync(int port, string serverName)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await client.ConnectAsync("127.0.0.1", port, timeout.Token);
        await using var tls = new SslStream(client.GetStream());
        await tls.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions { TargetHost = serverName, RemoteCertificateValidationCallback = (_, _, _, _) => true },
            timeout.Token);
        using var leaf = X509CertificateLoader.LoadCertificate(tls.RemoteCertificate!.GetRawCertData());
        return leaf.SerialNumber.ToLowerInvariant();
    }

    /// <summary>
    /// nginx reloads asynchronously: an old worker may still take a connection for a moment. Returns the expected
    /// serial as soon as it is served, else the last one seen after <paramref name="within"/>.
    /// </summary>
    public static async Task<string> EventuallyServedSerialAsync(int port, string serverName, string expected, TimeSpan? within = null)
    {
        var deadline = TimeProvider.System.GetUtcNow() + (within ?? TimeSpan.FromSeconds(3));
        while (true)
        {
            var served = await ServedSerialAsync(port, serverName);
            if (served == expected || TimeProvider.System.GetUtcNow() > deadline)
            {
                return served;
            }

            await Task.Delay(50);
        }
    }
}
