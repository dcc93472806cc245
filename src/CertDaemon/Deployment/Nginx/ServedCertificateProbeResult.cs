namespace CertDaemon.Deployment.Nginx;

/// <summary>What a <see cref="ServedCertificateProbe"/> saw at an address for one server name.</summary>
internal abstract record ServedCertificateProbeResult
{
    private ServedCertificateProbeResult()
    {
    }

    /// <summary>The <c>host:port</c> that was probed.</summary>
    public required string Address { get; init; }

    /// <summary>The SNI name sent (a sample label for a wildcard).</summary>
    public required string ServerName { get; init; }

    /// <summary>How many handshakes were tried.</summary>
    public required int Attempts { get; init; }

    /// <summary>The handshake completed; <see cref="Certificate"/> is what the server presented.</summary>
    public sealed record Served(ServedCertificate Certificate) : ServedCertificateProbeResult;

    /// <summary>No certificate could be read: connection refused, timed out, or the handshake failed.</summary>
    /// <param name="Error">Why, naming the address.</param>
    public sealed record Unreachable(string Error) : ServedCertificateProbeResult;
}
