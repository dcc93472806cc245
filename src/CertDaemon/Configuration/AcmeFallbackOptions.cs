namespace CertDaemon.Configuration;

/// <summary>
/// One fallback CA (an element of <c>Acme.Fallback</c>): tried, in order, when the configured CA fails a renewal for
/// a reason that is the CA's (outage, a rate limit that would outlast the renewal deadline, repeated order failures).
/// Each CA gets its own account in the state directory; the contact and terms-of-service answer are the <c>Acme</c>
/// section's.
/// </summary>
internal sealed record AcmeFallbackOptions
{
    /// <summary>The CA's ACME directory URL (same rules as <see cref="AcmeOptions.DirectoryUrl"/>). Required.</summary>
    public Uri? DirectoryUrl { get; init; }

    /// <summary>External account binding for this CA (ZeroSSL, Google Trust Services, ... require one). The default is none.</summary>
    public ExternalAccountBindingOptions? ExternalAccountBinding { get; init; }

    /// <summary>The profile asked of this CA (profile names are per CA). The default is none (the CA's default profile).</summary>
    public string? Profile { get; init; }
}
