namespace CertDaemon.Acme;

/// <summary>RFC 9773 4.2 suggestedWindow; <see cref="End"/> is strictly after <see cref="Start"/> (checked on parse).</summary>
internal sealed record AriSuggestedWindow(DateTimeOffset Start, DateTimeOffset End);
