using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace CertDaemon.Deployment.Nginx;

/// <summary>
/// Reads the certificate a TLS server presents for a server name (SNI), the way a browser would ask for it, and
/// waits for a freshly reloaded server to present an expected serial.
/// </summary>
/// <remarks>
/// Any certificate is accepted: the probe only reads it, nothing is sent over the connection, and the answer is
/// compared with a serial we know. A wildcard name (<c>*.example.com</c>) is asked for as
/// <c>certdaemon-probe.example.com</c>, because no client ever sends <c>*</c> in SNI.
/// </remarks>
internal sealed class ServedCertificateProbe(TimeProvider time, ServedCertificateProbeOptions? options = null)
{
    /// <summary>The label that stands in for <c>*</c> when probing a wildcard name.</summary>
    public const string WildcardSampleLabel = "certdaemon-probe";

    public ServedCertificateProbeOptions Options { get; } = options ?? new ServedCertificateProbeOptions();

    /// <summary>The SNI name to ask for <paramref name="domain"/>: itself, or a sample label in place of a wildcard.</summary>
    public static string ServerNameFor(string domain)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        return domain.StartsWith("*.", StringComparison.Ordinal) ? WildcardSampleLabel + domain[1..] : domain;
    }

    /// <summary>Splits <c>host:port</c> or <c>[v6]:port</c> (the form <see cref="Configuration.NginxOptions.VerifyAddress"/> is validated to).</summary>
    /// <exception cref="FormatException">When <paramref name="address"/> is not in that form.</exception>
    public static (string Host, int Port) ParseAddress(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new FormatException($"\"{address}\" is not host:port");
        }

        var host = address[..colon];
        return (host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host, port);
    }

    /// <summary>
    /// Probes until <paramref name="address"/> presents <paramref name="expectedSerial"/> for <paramref name="domain"/>
    /// or <paramref name="deadline"/> passes, and returns the last observation. At least one attempt is made even
    /// when the deadline has already passed, so several names can share one deadline without waiting for each.
    /// </summary>
    public async Task<ServedCertificateProbeResult> WaitForSerialAsync(
        string address, string domain, string expectedSerial, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var attempts = 0;
        while (true)
        {
            attempts++;
            var result = await ReadOnceAsync(address, ServerNameFor(domain), attempts, cancellationToken);
            if (result is ServedCertificateProbeResult.Served served && served.Certificate.HasSerial(expectedSerial))
            {
                return result;
            }

            if (time.GetUtcNow() + Options.RetryInterval > deadline)
            {
                return result;
            }

            await Task.Delay(Options.RetryInterval, time, cancellationToken);
        }
    }

    /// <summary><see cref="WaitForSerialAsync(string, string, string, DateTimeOffset, CancellationToken)"/> with <see cref="ServedCertificateProbeOptions.Deadline"/> from now.</summary>
    public Task<ServedCertificateProbeResult> WaitForSerialAsync(string address, string domain, string expectedSerial, CancellationToken cancellationToken) =>
        WaitForSerialAsync(address, domain, expectedSerial, time.GetUtcNow() + Options.Deadline, cancellationToken);

    /// <summary>One connect and handshake: what <paramref name="address"/> presents for <paramref name="domain"/> right now.</summary>
    public Task<ServedCertificateProbeResult> ReadAsync(string address, string domain, CancellationToken cancellationToken) =>
        ReadOnceAsync(address, ServerNameFor(domain), 1, cancellationToken);

    private async Task<ServedCertificateProbeResult> ReadOnceAsync(string address, string serverName, int attempt, CancellationToken cancellationToken)
    {
        var (host, port) = ParseAddress(address);
        using var handshakeTimeout = new CancellationTokenSource(Options.HandshakeTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(handshakeTimeout.Token, cancellationToken);
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port), linked.Token);
            await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = serverName,
#pragma warning disable CA5359 // The probe reads the presented leaf and compares its serial with one we issued; it trusts nothing it receives.
                    RemoteCertificateValidationCallback = static (_, _, _, _) => true,
#pragma warning restore CA5359
                },
                linked.Token);
            if (tls.RemoteCertificate is not { } remote)
            {
                return Unreachable($"{address} completed the TLS handshake for {serverName} without presenting a certificate");
            }

            using var leaf = X509CertificateLoader.LoadCertificate(remote.GetRawCertData());
            return new ServedCertificateProbeResult.Served(Describe(leaf)) { Address = address, ServerName = serverName, Attempts = attempt };
        }
        catch (OperationCanceledException) when (handshakeTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Unreachable(string.Create(
                CultureInfo.InvariantCulture, $"no TLS handshake with {address} for {serverName} within {Options.HandshakeTimeout.TotalSeconds:0.#} s"));
        }
        catch (SocketException e)
        {
            return Unreachable(e.SocketErrorCode == SocketError.ConnectionRefused
                ? $"connection to {address} refused: nothing listens there"
                : $"could not connect to {address}: {e.Message}");
        }
        catch (AuthenticationException e)
        {
            return Unreachable($"TLS handshake with {address} for {serverName} failed: {e.Message}");
        }
        catch (IOException e)
        {
            return Unreachable($"{address} closed the connection during the TLS handshake for {serverName}: {e.Message}");
        }

        ServedCertificateProbeResult Unreachable(string error) =>
            new ServedCertificateProbeResult.Unreachable(error) { Address = address, ServerName = serverName, Attempts = attempt };
    }

    private static ServedCertificate Describe(X509Certificate2 leaf)
    {
        var names = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(san => san.EnumerateDnsNames()).ToList();
        if (names.Count == 0 && leaf.GetNameInfo(X509NameType.DnsName, forIssuer: false) is { Length: > 0 } commonName)
        {
            names.Add(commonName);
        }

        return new ServedCertificate(leaf.SerialNumber.ToLowerInvariant(), names, leaf.Subject, new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero));
    }
}
