using CertDaemon.Hosting;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Cli;

/// <summary>
/// The daemon's start-up recovery of the store (<see cref="DaemonService"/>), run by a command that writes lineages for
/// the certificates it is about to work on, before it reads their live files: a switch a killed run left half done is
/// finished or undone, leftovers are removed. Without it a <c>renew</c> that finds nothing due would leave a killed
/// run's journal until the daemon's next start.
/// </summary>
/// <remarks>
/// The daemon may be running. Each lineage is recovered under its lineage lock, which every switch holds from its
/// journal to its end, so a switch in progress elsewhere is never touched. State temporaries are written under no lock
/// another process honours: only old ones are removed (<see cref="StateTemporaryAge"/>). A failure is logged
/// (<c>StartupRecoveryFailed</c>, as in the daemon) and the command goes on: a commit recovers its lineage again under
/// the lock before it writes anything.
/// </remarks>
internal static class StoreRecovery
{
    /// <summary>How old a state temporary file must be before a command removes it; an atomic write takes milliseconds.</summary>
    public static readonly TimeSpan StateTemporaryAge = TimeSpan.FromMinutes(10);

    public static async Task RunAsync(CommandEnvironment environment, IEnumerable<string> names, CancellationToken cancellationToken)
    {
        var lineages = names.ToList();
        var logger = environment.Get<ILoggerFactory>().CreateLogger(typeof(StoreRecovery).FullName!);
        try
        {
            await environment.Get<CertificateStore>().RecoverAsync(lineages, cancellationToken);
            var states = environment.Get<CertificateStateStore>();
            foreach (var name in lineages)
            {
                states.DeleteStaleTemporaryFiles(name, StateTemporaryAge);
            }
        }
        catch (Exception exception) when (exception is CertificateStoreException or IOException or UnauthorizedAccessException)
        {
            DaemonLog.StartupRecoveryFailed(logger, exception, "the certificate store", exception.Message);
        }
    }
}
