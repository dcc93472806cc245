using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace CertDaemon.Acme;

/// <summary>
/// Builds the HTTP handler the ACME client talks through. <c>Acme.TrustedCaFile</c> adds roots trusted for the ACME
/// server's TLS only (a private or test CA); they never touch the system trust store, and a host-name mismatch is
/// never accepted.
/// </summary>
internal static class AcmeHttpHandlerFactory
{
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
