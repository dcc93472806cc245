namespace CertDaemon.Configuration;

/// <summary>Certificate archive retention (section <c>Store</c>).</summary>
internal sealed record StoreOptions
{
    /// <summary>How many versions per certificate <c>archive/NAME/</c> keeps (the live one included); at least 1. The default value is 5.</summary>
    public int KeepVersions { get; init; } = 5;
}
