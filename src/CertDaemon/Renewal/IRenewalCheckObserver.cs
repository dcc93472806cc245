using CertDaemon.Storage;

namespace CertDaemon.Renewal;

/// <summary>
/// Told about every finished check of a certificate (the daemon's and <c>certdaemon renew</c>'s), after its outcome
/// and <see cref="CheckHistory"/> were saved: metrics files, notifications.
/// </summary>
/// <remarks>
/// Contract: <see cref="OnCheckedAsync"/> returns quickly (slow work such as HTTP is queued, never awaited by the
/// renewal) and reports its own problems in its own log events; an exception it throws anyway is logged by the
/// coordinator and never changes the check's outcome.
/// </remarks>
internal interface IRenewalCheckObserver
{
    /// <param name="certificate">The certificate checked.</param>
    /// <param name="result">What the check did.</param>
    /// <param name="before">The check history before this check (null for the first).</param>
    /// <param name="state">The state as saved after this check.</param>
    /// <param name="cancellationToken">Stops the observer's own waiting.</param>
    Task OnCheckedAsync(ManagedCertificate certificate, RenewalCheckResult result, CheckHistory? before, CertificateState state, CancellationToken cancellationToken);
}
