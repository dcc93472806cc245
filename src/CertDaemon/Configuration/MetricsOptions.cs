namespace CertDaemon.Configuration;

/// <summary>Prometheus metrics (section <c>Metrics</c>); absent: no textfile, no listener (<c>certdaemon metrics</c> still prints them).</summary>
internal sealed record MetricsOptions
{
    /// <summary>
    /// Where the text exposition is written, atomically, after every check (node_exporter's textfile collector, e.g.
    /// <c>/var/lib/prometheus/node-exporter/certdaemon.prom</c>; the name must end in <c>.prom</c>). The default value
    /// is <see langword="null"/>: no file.
    /// </summary>
    public string? TextfilePath { get; init; }

    /// <summary>
    /// <c>ip:port</c> on which the daemon serves <c>/metrics</c> over plain HTTP, e.g. <c>127.0.0.1:9577</c>. Loopback is
    /// the safe choice (the metrics name your domains); any other address must be the operator's explicit decision.
    /// The default value is <see langword="null"/>: no listener.
    /// </summary>
    public string? ListenAddress { get; init; }
}
