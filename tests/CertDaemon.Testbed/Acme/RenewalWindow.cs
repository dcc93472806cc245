namespace CertDaemon.Testbed.Acme;

/// <summary>
/// What <see cref="AcmeExtensionsProxy"/> answers for one CertID (RFC 9773 4.2): the suggested window, the optional
/// <c>explanationURL</c>, and the <c>Retry-After</c> the client must honour before asking again.
/// </summary>
public sealed record RenewalWindow(DateTimeOffset Start, DateTimeOffset End, Uri? ExplanationUrl, TimeSpan RetryAfter);
