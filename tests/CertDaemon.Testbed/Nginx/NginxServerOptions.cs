namespace CertDaemon.Testbed.Nginx;

/// <summary>How <see cref="NginxServer.StartAsync"/> sets up the test nginx.</summary>
public sealed record NginxServerOptions
{
    /// <summary>The server blocks, all on the same TLS port; the first one is the <c>default_server</c> (answers unknown SNI names).</summary>
    public required IReadOnlyList<NginxSite> Sites { get; init; }

    /// <summary>nginx's prefix: configuration, pid file, logs and temp directories all live here. The default is a fresh testbed folder.</summary>
    public string? PrefixDirectory { get; init; }

    /// <summary>
    /// nginx refuses to start while a site's certificate or key does not exist. <see langword="true"/>: write a
    /// self-signed pair for the site's names at the missing paths (a first deployment then replaces it).
    /// <see langword="false"/> (the default): the files must exist, i.e. start after the first issuance.
    /// </summary>
    public bool WriteSelfSignedIfMissing { get; init; }
}
