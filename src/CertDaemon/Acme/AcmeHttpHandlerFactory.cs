using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace CertDaemon.Acme;

/// <summary>
/// Builds the HTTP handler the ACME client talks through. <c>Acme.TrustedCaFile</c> adds roots trusted for the ACME
/// server's TLS only (a private or test CA); they never touch the system trust store, and a host-name mismatch is
/// never accepted.
/// </summary>
/// <remarks>
/// The daemon holds one ACME <see cref="HttpClient"/> for its whole life rather than taking clients from
/// <c>IHttpClientFactory</c>: the handler's <see cref="SocketsHttpHandler.PooledConnectionLifetime"/> already
/// re-resolves the CA's address every few minutes (the reason the factory rotates handlers), the trusted roots are fixed
/// at start, and the factory's logging handlers would add a log line per ACME request that is in no written contract.
/// </remarks>
internal static class AcmeHttpHandlerFactory
{
    /// <summary>
    /// The daemon's ACME client over <see cref="Create"/>, trusting <paramref name="trustedCaFile"/>'s roots (none when
    /// null) for the CA's TLS. A CA that stops answering fails the request after 60 s; a body over 4 MiB is refused.
    /// </summary>
    public static HttpClient CreateClient(string? trustedCaFile) =>
        new(Create(trustedCaFile is null ? null : LoadPemBundle(trustedCaFile)))
        {
            Timeout = TimeSpan.FromSeconds(60),
            // ACME responses are small (a certificate chain is a few KB): a CA answering without end is an error.
            MaxResponseContentBufferSize = 4 * 1024 * 1024,
        };

    public static SocketsHttpHandler Create(X509Certificate2Collection? extraTrustedRoots)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(15),
            AutomaticDecompression = System.Net.DecompressionMethods.All,
        };
        if (extraTrustedRoots is { Count: > 0 })
        {
            var roots = new X509Certificate2Collection(extraTrustedRoots);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                IsTrusted(certificate, chain, errors, roots);
        }

        return handler;
    }

    /// <summary>Loads every certificate of a PEM file (the format of <c>Acme.TrustedCaFile</c>).</summary>
    public static X509Certificate2Collection LoadPemBundle(string path)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(path);
        if (collection.Count == 0)
        {
            throw new InvalidDataException($"{path}: no PEM certificate found");
        }

        return collection;
    }

    internal static bool IsTrusted(X509Certificate? certificate, X509Chain? systemChain, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        // Only an untrusted chain may be rescued by the extra roots; a wrong name or a missing certificate never is.
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (systemChain is not null)
        {
            foreach (var element in systemChain.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }
}
