namespace CertDaemon.Deployment.Nginx;

/// <summary>How patiently <see cref="ServedCertificateProbe"/> waits for a reloaded server to present the new certificate.</summary>
internal sealed record ServedCertificateProbeOptions
{
    /// <summary>
    /// How long after the first attempt the probe keeps retrying until the expected certificate is served. nginx
    /// reloads asynchronously: old workers keep answering until new ones start. The default value is 5 seconds.
    /// </summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The pause between attempts. The default value is 200 milliseconds.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The limit for one connect plus TLS handshake. The default value is 3 seconds.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(3);
}
