using CertDaemon.Deployment;
using CertDaemon.Storage;

namespace CertDaemon.Hosting;

/// <summary>
/// The nginx deployer's <see cref="LiveVersionRollback"/>, backed by the store: switch <c>live/NAME</c> back to the
/// newest version older than the live one. Archive files are never deleted, so the next check can switch forward.
/// When <c>live/NAME</c> no longer serves the deployed serial (another tool renewed through it after the switch),
/// nothing is switched: that version stays live and the next reconciliation records it as current.
/// </summary>
internal static class LiveRollback
{
    public static LiveVersionRollback For(CertificateStore store) => async (context, cancellationToken) =>
    {
        try
        {
            var live = store.GetLive(context.CertificateName);
            if (live is not null && !string.Equals(live.Serial, context.Serial, StringComparison.OrdinalIgnoreCase))
            {
                // live/NAME no longer serves what this deployment switched to: certbot renewed through it meanwhile.
                // Its version is newer than ours and complete; switching "back" from it would hide it (and rebuilding
                // the version directory it renewed through is impossible while that directory is live).
                return new LiveRollbackResult.LeftInPlace(live.Version, live.Serial);
            }

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
