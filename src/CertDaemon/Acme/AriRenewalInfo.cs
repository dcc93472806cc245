namespace CertDaemon.Acme;

/// <summary>
/// Renewal information for one certificate (RFC 9773 4.2): renew at a uniformly random moment inside
/// <see cref="SuggestedWindow"/>; poll again no earlier than <see cref="RetryAfter"/> (RFC 9773 4.3, from the Retry-After
/// header; null when the CA sent none); log <see cref="ExplanationUrl"/> when present.
/// </summary>
internal sealed record AriRenewalInfo(AriSuggestedWindow SuggestedWindow, Uri? ExplanationUrl, DateTimeOffset? RetryAfter);
