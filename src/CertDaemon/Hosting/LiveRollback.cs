using CertDaemon.Deployment;
using CertDaemon.Storage;

namespace CertDaemon.Hosting;

/// <summary>
/// The nginx deployer's <see cref="LiveVersionRollback"/>, backed by the store: switch <c>live/NAME</c> back to the
/// newest version older than the live one. Archive files are never deleted, so the next check can switch forward.
/// </summary>
internal static class LiveRollback
{
    public static LiveVersionRollback For(CertificateStore store) => async (context, cancellationToken) =>
    {
        try
        {
            var live = store.GetLive(context.CertificateName);
            var previous = store.GetVersions(context.CertificateName)
                .Where(v => live is null || v.Version < live.Version)
                .OrderByDescending(v => v.Version)
                .FirstOrDefault();
            if (previous is null)
            {
                return new LiveRollbackResult.NoPreviousVersion();
            }

            var restored = await store.SwitchLiveAsync(context.CertificateName, previous.Version, cancellationToken);
            return new LiveRollbackResult.RolledBack(restored.Serial);
        }
        catch (Exception exception) when (exception is IOException or CertificateStoreException or UnauthorizedAccessException)
        {
            return new LiveRollbackResult.Failed(exception.Message);
        }
    };
}
