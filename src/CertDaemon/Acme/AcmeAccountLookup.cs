namespace CertDaemon.Acme;

/// <summary>The outcome of looking an account up by its key (RFC 8555 7.3.1 onlyReturnExisting).</summary>
internal sealed record AcmeAccountLookup(bool Found, AcmeAccount? Account)
{
    public static AcmeAccountLookup NotFound { get; } = new(false, null);
}
