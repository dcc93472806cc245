using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CertDaemon.Acme;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Issuance;

/// <summary>
/// Loads or creates the ACME account for one CA directory and hands out a client signed in to it.
/// </summary>
/// <remarks>
/// Layout: <c>StateDirectory/accounts/HOST[_PORT]/HASH/{private_key.pem, account.json}</c>, one account per
/// directory URL (HASH = first 12 hex digits of SHA-256 of the URL, so staging and production never mix).
/// The key is written (0600, atomically) <b>before</b> the account is registered: a crash in between leaves a key
/// that the next run finds registered (RFC 8555 7.3.1: a newAccount with a known key returns the existing account),
/// never an account whose key was lost.
/// </remarks>
internal sealed class AcmeAccountProvisioner(string stateDirectory, TimeProvider time, ILoggerFactory loggerFactory)
{
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public string AccountDirectory(Uri directoryUrl)
    {
        var host = directoryUrl.IsDefaultPort ? directoryUrl.Host : $"{directoryUrl.Host}_{directoryUrl.Port}";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(directoryUrl.AbsoluteUri)))[..12];
        return Path.Combine(stateDirectory, "accounts", host, hash);
    }

    /// <summary>How long provisioning waits for another process provisioning the same account.</summary>
    public static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A client for <paramref name="settings"/>' CA whose account exists, belongs to the stored key and has the
    /// configured contact. The caller owns (disposes) the client.
    /// </summary>
    /// <remarks>
    /// Processes provisioning the same account take turns (<c>.lock</c> in the account directory), so two first runs
    /// end with one key and one account. A key is never paired with an account URL registered for another key: an
    /// <c>account.json</c> without its key, or recorded for another key, is set aside and the key registered.
    /// </remarks>
    /// <param name="http">The ACME HTTP client.</param>
    /// <param name="settings">CA, contact, terms, EAB.</param>
    /// <param name="lostAccountUrl">The account URL the CA just answered <c>accountDoesNotExist</c> for (a test CA that
    /// restarted, an account removed): the stored key is registered again instead of trusting <c>account.json</c>.</param>
    /// <param name="cancellationToken">Cancels waiting and requests.</param>
    public async Task<AcmeClient> ConnectAsync(
        HttpClient http, AcmeAccountSettings settings, CancellationToken cancellationToken, Uri? lostAccountUrl = null)
    {
        var directory = AccountDirectory(settings.DirectoryUrl);
        CreatePrivateDirectories(directory);
        using var provisioning = await LineageLock.AcquireAsync("ACME account", Path.Combine(directory, ".lock"), LockTimeout, time, cancellationToken);
        var keyPath = Path.Combine(directory, "private_key.pem");
        var accountPath = Path.Combine(directory, "account.json");
        var logger = loggerFactory.CreateLogger<AcmeAccountProvisioner>();

        AccountKey key;
        if (File.Exists(keyPath))
        {
            key = AccountKey.FromPkcs8Pem(await File.ReadAllTextAsync(keyPath, cancellationToken));
        }
        else
        {
            SetAside(accountPath, "its key private_key.pem is gone", logger);
            key = AccountKey.Generate();
            await AtomicFile.WriteAsync(keyPath, Encoding.UTF8.GetBytes(key.ExportPkcs8Pem()), PrivateFile, cancellationToken);
        }

        var client = new AcmeClient(http, settings.DirectoryUrl, key, time, loggerFactory.CreateLogger<AcmeClient>());
        try
        {
            var saved = await ReadSavedAsync(accountPath, cancellationToken);
            if (saved?.KeyThumbprint is { } thumbprint && thumbprint != key.Thumbprint)
            {
                SetAside(accountPath, "it was registered for another key", logger);
                saved = null;
            }
            else if (saved is { KeyThumbprint: null } && lostAccountUrl is null)
            {
                // Written before thumbprints were recorded: ask the CA once which account this key has.
                var lookup = await client.FindAccountAsync(cancellationToken);
                if (lookup.Account?.Url != saved.Url)
                {
                    SetAside(accountPath, "the CA does not know it for this key", logger);
                    saved = null;
                }
                else
                {
                    saved = saved with { KeyThumbprint = key.Thumbprint };
                    await SaveAsync(accountPath, saved, cancellationToken);
                }
            }

            if (saved is not null && lostAccountUrl is null)
            {
                client.AccountUrl = saved.Url;
                if (!saved.Contact.SequenceEqual(settings.Contact, StringComparer.OrdinalIgnoreCase))
                {
                    var updated = await client.UpdateContactAsync(settings.Contact, cancellationToken);
                    await SaveAsync(accountPath, new SavedAccount(updated.Url, [.. updated.Contact], settings.DirectoryUrl, key.Thumbprint), cancellationToken);
                }

                return client;
            }

            var eab = settings.EabKeyId is null || settings.EabHmacKey is null ? null : new ExternalAccountBinding(settings.EabKeyId, settings.EabHmacKey);
            var account = await client.CreateAccountAsync(
                new NewAccountOptions { Contact = settings.Contact, TermsOfServiceAgreed = settings.AcceptTermsOfService, ExternalAccountBinding = eab },
                cancellationToken);
            client.AccountUrl = account.Url;
            await SaveAsync(accountPath, new SavedAccount(account.Url, [.. account.Contact], settings.DirectoryUrl, key.Thumbprint), cancellationToken);
            if (lostAccountUrl is not null)
            {
                IssuanceLog.AccountReRegistered(logger, settings.DirectoryUrl, lostAccountUrl, account.Url);
            }

            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Moves an unusable <c>account.json</c> aside (kept for the operator), so it is never used with this key.</summary>
    private void SetAside(string accountPath, string reason, ILogger logger)
    {
        if (!File.Exists(accountPath))
        {
            return;
        }

        var aside = $"{accountPath}.orphaned-{time.GetUtcNow().UtcDateTime:yyyyMMdd'T'HHmmss'Z'}";
        File.Move(accountPath, aside, overwrite: true);
        IssuanceLog.AccountFileSetAside(logger, accountPath, reason, aside);
    }

    private static void CreatePrivateDirectories(string directory)
    {
        Directory.CreateDirectory(directory, PrivateDirectory);
    }

    private static async Task<SavedAccount?> ReadSavedAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        await using var stream = File.OpenRead(path);
        try
        {
            return await JsonSerializer.DeserializeAsync(stream, AccountJsonContext.Default.SavedAccount, cancellationToken);
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"{path}: unreadable account file ({exception.Message}); move it aside to register the key again", exception);
        }
    }

    private static Task SaveAsync(string path, SavedAccount account, CancellationToken cancellationToken) =>
        AtomicFile.WriteAsync(path, JsonSerializer.SerializeToUtf8Bytes(account, AccountJsonContext.Default.SavedAccount), PrivateFile, cancellationToken);
}
