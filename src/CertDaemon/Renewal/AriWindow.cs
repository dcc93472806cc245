namespace CertDaemon.Renewal;

/// <summary>An ARI <c>suggestedWindow</c> (RFC 9773 section 4.2): renew at some moment in [<paramref name="Start"/>, <paramref name="End"/>).</summary>
/// <param name="Start">Window start.</param>
/// <param name="End">Window end; a window with End &lt;= Start is invalid and ignored (RFC 9773 section 4.2).</param>
/// <param name="ExplanationUrl">The CA's <c>explanationURL</c>, when it gave one (worth logging: it says why, e.g. a mass revocation).</param>
internal sealed record AriWindow(DateTimeOffset Start, DateTimeOffset End, Uri? ExplanationUrl = null)
{
    public bool IsValid => End > Start;
}
