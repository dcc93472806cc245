using System.Collections.Concurrent;
using CertDaemon.Acme;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Issuance;

/// <summary>
/// One signed-in <see cref="AcmeClient"/> per CA directory for the life of the process (the configured CA, each
/// fallback CA with its own account and EAB, and the staging one for <c>--dry-run</c>), so the directory, nonces and
/// account are fetched once.
/// </summary>
internal sealed class AcmeSessions(
    HttpClient http, AcmeAccountProvisioner accounts, AcmeAccountSettings settings, IssuanceOptions issuanceOptions,
    TimeProvider time, ILoggerFactory loggerFactory, AcmeCertificateAuthorities? authorities = null) : IDisposable
{
    private readonly ConcurrentDictionary<Uri, Lazy<Task<AcmeClient>>> _clients = new();
    private readonly ConcurrentBag<AcmeClient> _connected = [];

    /// <summary>The configured CA directory.</summary>
    public Uri DefaultDirectoryUrl => settings.DirectoryUrl;

    public async Task<CertificateIssuer> GetIssuerAsync(Uri? directoryUrl, CancellationToken cancellationToken)
    {
        var client = await GetClientAsync(directoryUrl, cancellationToken);
        return new CertificateIssuer(client, time, loggerFactory.CreateLogger<CertificateIssuer>(), issuanceOptions);
    }

    /// <summary>
    /// Runs <paramref name="action"/> with the issuer of <paramref name="directoryUrl"/>'s CA; when the CA answers
    /// <c>accountDoesNotExist</c> (it lost or removed the account), the stored key is registered again and the action
    /// runs once more. Any other error, or a second loss, is the caller's.
    /// </summary>
    public async Task<T> WithIssuerAsync<T>(Uri? directoryUrl, Func<CertificateIssuer, Task<T>> action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        var client = await GetClientAsync(directoryUrl, cancellationToken);
        try
        {
            return await action(new CertificateIssuer(client, time, loggerFactory.CreateLogger<CertificateIssuer>(), issuanceOptions));
        }
        catch (AcmeProblemException exception) when (exception.Problem.IsType(AcmeErrorTypes.AccountDoesNotExist) && client.AccountUrl is { } lost)
        {
            var url = directoryUrl ?? settings.DirectoryUrl;
            var registered = new Lazy<Task<AcmeClient>>(() => ConnectAsync(url, lost));
            _clients[url] = registered;
            var again = await registered.Value.WaitAsync(cancellationToken);
            return await action(new CertificateIssuer(again, time, loggerFactory.CreateLogger<CertificateIssuer>(), issuanceOptions));
        }
    }

    public async Task<AcmeClient> GetClientAsync(Uri? directoryUrl, CancellationToken cancellationToken)
    {
        var url = directoryUrl ?? settings.DirectoryUrl;
        // A configured fallback CA signs in with its own account settings (EAB); any other directory (dry run) with ours.
        var lazy = _clients.GetOrAdd(url, u => new Lazy<Task<AcmeClient>>(() => ConnectAsync(u, lostAccount: null)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (lazy.Value.IsFaulted)
        {
            // A failed sign-in (CA down, network) must not be cached for the life of the daemon.
            _clients.TryRemove(new KeyValuePair<Uri, Lazy<Task<AcmeClient>>>(url, lazy));
            throw;
        }
    }

    /// <summary>Disposes every client signed in, including those a re-registration replaced; never waits for one still connecting.</summary>
    public void Dispose()
    {
        while (_connected.TryTake(out var client))
        {
            client.Dispose();
        }
    }

    /// <summary>Signs in to <paramref name="url"/>'s CA (a configured fallback CA with its own account settings) and keeps the client for <see cref="Dispose"/>.</summary>
    private async Task<AcmeClient> ConnectAsync(Uri url, Uri? lostAccount)
    {
        var client = await accounts.ConnectAsync(http, authorities?.Find(url)?.Account ?? settings with { DirectoryUrl = url }, CancellationToken.None, lostAccount);
        _connected.Add(client);
        return client;
    }
}
