namespace CertDaemon.Storage;

/// <summary>What <c>live/NAME</c> is on disk.</summary>
internal enum LiveKind
{
    /// <summary>Nothing is there.</summary>
    Missing,

    /// <summary>CertDaemon's link to a version directory.</summary>
    Link,

    /// <summary>certbot's real directory of four links.</summary>
    CertbotDirectory,

    /// <summary>Something neither tool creates (a regular file, a foreign link); never replaced.</summary>
    Unknown,
}

/// <summary>What <c>live/NAME</c> is, and the version it serves (null when none).</summary>
internal sealed record LiveState(LiveKind Kind, int? Version)
{
    public bool IsLink => Kind == LiveKind.Link;

    public bool IsCertbotDirectory => Kind == LiveKind.CertbotDirectory;

    /// <summary>For error messages: "version N" or "no version was live".</summary>
    public string Describe() => Version is { } v ? $"version {v}" : "no version was live";
}
