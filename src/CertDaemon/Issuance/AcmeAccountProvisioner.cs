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

    /// <summary>
    /// A client for <paramref name="settings"/>' CA whose account exists and has the configured contact.
    /// The caller owns (disposes) the client.
    /// </summary>
    public async Task<AcmeClient> ConnectAsync(HttpClient http, AcmeAccountSettings settings, CancellationToken cancellationToken)
    {
        var directory = AccountDirectory(settings.DirectoryUrl);
        CreatePrivateDirectories(directory);
        var keyPath = Path.Combine(directory, "private_key.pem");
        var accountPath = Path.Combine(directory, "account.json");

        AccountKey key;
        if (File.Exists(keyPath))
        {
            key = AccountKey.FromPkcs8Pem(await File.ReadAllTextAsync(keyPath, cancellationToken));
        }
        else
        {
            key = AccountKey.Generate();
            await AtomicFile.WriteAsync(keyPath, Encoding.UTF8.GetBytes(key.ExportPkcs8Pem()), PrivateFile, cancellationToken);
        }

        var client = new AcmeClient(http, settings.DirectoryUrl, key, time, loggerFactory.CreateLogger<AcmeClient>());
        try
        {
            var saved = await ReadSavedAsync(accountPath, cancellationToken);
            if (saved is not null)
            {
                client.AccountUrl = saved.Url;
                if (!saved.Contact.SequenceEqual(settings.Contact, StringComparer.OrdinalIgnoreCase))
                {
                    var updated = await client.UpdateContactAsync(settings.Contact, cancellationToken);
                    await SaveAsync(accountPath, new SavedAccount(updated.Url, [.. updated.Contact], settings.DirectoryUrl), cancellationToken);
                }

                return client;
            }

            var eab = settings.EabKeyId is null || settings.EabHmacKey is null ? null : new ExternalAccountBinding(settings.EabKeyId, settings.EabHmacKey);
            var account = await client.CreateAccountAsync(
                new NewAccountOptions { Contact = settings.Contact, TermsOfServiceAgreed = settings.AcceptTermsOfService, ExternalAccountBinding = eab },
                cancellationToken);
            client.AccountUrl = account.Url;
            await SaveAsync(accountPath, new SavedAccount(account.Url, [.. account.Contact], settings.DirectoryUrl), cancellationToken);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
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
