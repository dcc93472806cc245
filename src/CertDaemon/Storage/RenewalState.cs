namespace CertDaemon.Storage;

/// <summary>
/// What the renewal schedule remembers per certificate so every process plans the same moment: the stable random
/// fraction that picks a point inside an ARI window (RFC 9773 4.2), the last ARI answer, and the failure backoff.
/// </summary>
/// <param name="RandomFraction">In [0, 1); drawn once per certificate version so repeated planning does not drift earlier.</param>
/// <param name="AriWindowStart">The CA's suggested window for the current certificate, if it offers ARI.</param>
/// <param name="AriExplanationUrl">The CA's explanation of an unusual window (logged; shown by status).</param>
/// <param name="NextAriCheck">When to ask the CA again (its Retry-After, clamped), at least twice a day.</param>
/// <param name="ConsecutiveFailures">Failed attempts since the last success.</param>
/// <param name="RetryAfter">A CA rate limit's Retry-After, honoured by the planner.</param>
/// <param name="CertificateSerial">The serial of the certificate version this state belongs to (null before the first
/// certificate). When the current certificate's serial differs (a new version, however it was issued), the schedule
/// starts afresh: a new fraction, no ARI window, no failures.</param>
internal sealed record RenewalState(
    double RandomFraction,
    DateTimeOffset? AriWindowStart = null,
    DateTimeOffset? AriWindowEnd = null,
    Uri? AriExplanationUrl = null,
    DateTimeOffset? AriCheckedAt = null,
    DateTimeOffset? NextAriCheck = null,
    int ConsecutiveFailures = 0,
    DateTimeOffset? LastFailureAt = null,
    DateTimeOffset? RetryAfter = null,
    string? CertificateSerial = null);
