using CertDaemon.Configuration;
using CertDaemon.Renewal;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Monitoring;

/// <summary>
/// Renders every certificate's metrics from the state files, and writes them to <see cref="MetricsOptions.TextfilePath"/>
/// after every check (an <see cref="IRenewalCheckObserver"/>): node_exporter's textfile collector then exports them.
/// </summary>
/// <remarks>
/// The file is replaced atomically (temporary file in the same directory, fsync, rename), mode 0644, so the collector
/// never reads half a file. A failed write is logged (<c>MetricsNotWritten</c>) and never fails the check.
/// </remarks>
internal sealed class MetricsPublisher(
    CertDaemonOptions options, CertificateStatusReader statuses, ILogger<MetricsPublisher> logger) : IRenewalCheckObserver
{
    private const UnixFileMode TextfileMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>The exposition of every managed certificate, as of now.</summary>
    public async Task<string> RenderAsync(CancellationToken cancellationToken) =>
        await MetricsExposition.RenderAsync(await statuses.ReadAsync(cancellationToken), cancellationToken);

    /// <summary>Writes the textfile when one is configured; problems are logged, never thrown.</summary>
    public async Task WriteTextfileAsync(CancellationToken cancellationToken)
    {
        if (options.Metrics.TextfilePath is not { } path)
        {
            return;
        }

        try
        {
            var text = await RenderAsync(cancellationToken);
            await AtomicFile.WriteAsync(path, System.Text.Encoding.UTF8.GetBytes(text), TextfileMode, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CertificateStoreException)
        {
            MonitoringLog.MetricsNotWritten(logger, path, e.Message);
        }
    }

    public Task OnCheckedAsync(ManagedCertificate certificate, RenewalCheckResult result, CheckHistory? before, CertificateState state, CancellationToken cancellationToken) =>
        WriteTextfileAsync(cancellationToken);
}
