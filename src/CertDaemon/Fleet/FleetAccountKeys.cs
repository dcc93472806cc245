using System.Text;
using CertDaemon.Acme;
using CertDaemon.Issuance;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Fleet;

/// <summary>
/// Makes the fleet one ACME account: the account key lives in the fleet store (a secret object: SSE-KMS when
/// configured) and every instance uses it, so <c>replaces</c> and ARI apply whichever instance renews.
/// </summary>
/// <remarks>
/// Must run before this process signs in to the CA (the daemon's first check, <c>sync</c>). The first instance
/// uploads its key (creating one if it has none) with <c>If-None-Match: *</c>; when two race, the loser adopts the
/// winner's key. A local key that differs from the fleet's is replaced together with its account record (a
/// newAccount with the fleet's key finds the fleet's account, RFC 8555 7.3.1).
/// </remarks>
internal sealed class FleetAccountKeys(IFleetObjectStore store, AcmeAccountProvisioner accounts, AcmeAccountSettings settings, ILogger<FleetAccountKeys> logger)
{
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _shared;

    /// <summary>Makes the local account key the fleet's (once per process).</summary>
    /// <exception cref="FleetStoreException">The store could not be used.</exception>
    public async Task EnsureSharedAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _shared))
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_shared)
            {
                await ShareAsync(cancellationToken);
                Volatile.Write(ref _shared, true);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ShareAsync(CancellationToken cancellationToken)
    {
        var directory = accounts.AccountDirectory(settings.DirectoryUrl);
        var keyPath = Path.Combine(directory, "private_key.pem");
        var objectKey = FleetKeys.AccountKey(directory);
        Directory.CreateDirectory(directory, PrivateDirectory);

        if (await store.GetAsync(objectKey, null, cancellationToken) is FleetRead.Found fleetKey)
        {
            await AdoptAsync(directory, keyPath, fleetKey.Content, cancellationToken);
            return;
        }

        if (!File.Exists(keyPath))
        {
            await AtomicFile.WriteAsync(keyPath, Encoding.UTF8.GetBytes(AccountKey.Generate().ExportPkcs8Pem()), PrivateFile, cancellationToken);
        }

        var local = await File.ReadAllBytesAsync(keyPath, cancellationToken);
        if (await store.PutAsync(objectKey, local, FleetWriteCondition.Absent, secret: true, cancellationToken) is FleetWrite.Written)
        {
            FleetLog.AccountKeyShared(logger, settings.DirectoryUrl, "uploaded this instance's key");
            return;
        }

        // Another instance uploaded first: theirs is the fleet's.
        if (await store.GetAsync(objectKey, null, cancellationToken) is not FleetRead.Found winner)
        {
            throw new FleetStoreException($"{store.Location}{objectKey} was created by another instance but cannot be read back.");
        }

        await AdoptAsync(directory, keyPath, winner.Content, cancellationToken);
    }

    private async Task AdoptAsync(string directory, string keyPath, byte[] fleetKey, CancellationToken cancellationToken)
    {
        if (File.Exists(keyPath) && (await File.ReadAllBytesAsync(keyPath, cancellationToken)).AsSpan().SequenceEqual(fleetKey))
        {
            return;
        }

        // Refuse anything that is not a key before it replaces ours.
        AccountKey.FromPkcs8Pem(Encoding.UTF8.GetString(fleetKey)).Dispose();
        File.Delete(Path.Combine(directory, "account.json"));
        await AtomicFile.WriteAsync(keyPath, fleetKey, PrivateFile, cancellationToken);
        FleetLog.AccountKeyShared(logger, settings.DirectoryUrl, "installed the fleet's key");
    }
}
