using CertDaemon.Configuration;

namespace CertDaemon.Hosting;

/// <summary>The configuration the daemon was started with (validated before the host is built).</summary>
internal sealed record DaemonStartup(LoadedConfiguration Configuration);
