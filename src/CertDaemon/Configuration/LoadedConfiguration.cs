using Microsoft.Extensions.Configuration;

namespace CertDaemon.Configuration;

/// <summary>A configuration that loaded and validated cleanly.</summary>
/// <param name="SourcePath">The file it came from.</param>
/// <param name="Options">The validated options; certificate domains normalized (punycode, lower case).</param>
/// <param name="Configuration">The merged file + environment view, for the sections we pass through (<c>Serilog</c>, <c>Logging</c>).</param>
internal sealed record LoadedConfiguration(string SourcePath, CertDaemonOptions Options, IConfiguration Configuration)
{
    /// <summary>
    /// The file's bytes as read (null when not loaded from a file), so the daemon can tell whether the file changed
    /// between this load and the moment it began to watch it.
    /// </summary>
    public ReadOnlyMemory<byte>? SourceBytes { get; init; }
}
