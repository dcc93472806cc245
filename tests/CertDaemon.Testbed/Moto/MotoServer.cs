using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Xml.Linq;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace CertDaemon.Testbed.Moto;

/// <summary>
/// A private <c>moto_server</c> (independent implementation of the AWS wire protocols) on a free loopback port.
/// Started by <see cref="StartAsync(CancellationToken)"/>, killed with its whole process tree by <see cref="DisposeAsync"/>; everything
/// it prints is kept in <see cref="Output"/> so a failing test can show it.
/// </summary>
/// <remarks>
/// moto routes a request to a service by the SigV4 credential scope, so every request must be signed (any static
/// credentials work: <see cref="Credentials"/>). Unsigned requests land in its S3 emulation.
/// </remarks>
public sealed class MotoServer : IAsyncDisposable
{
    private const string Route53Namespace = "https://route53.amazonaws.com/doc/2013-04-01/";
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private MotoServer(Process process, Uri endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    /// <summary>Static dummy credentials; moto does not check signatures.</summary>
    public static AWSCredentials Credentials { get; } = new BasicAWSCredentials("AKIAMOTOTESTING00000", "moto-testing-secret");

    /// <summary>Base URL, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>Everything moto wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts moto on a free port and returns once it answers HTTP; throws with moto's output if it does not.</summary>
    public static Task<MotoServer> StartAsync(CancellationToken cancellationToken = default) => StartAsync(acmValidationWaitSeconds: 0, cancellationToken);

    /// <summary>
    /// Like <see cref="StartAsync(CancellationToken)"/>; a certificate requested from moto's ACM turns ISSUED only
    /// <paramref name="acmValidationWaitSeconds"/> after the request (<c>MOTO_ACM_VALIDATION_WAIT</c>; moto's own
    /// default is 60): 0 for tests that want it at once, a large value for a validation that never completes.
    /// </summary>
    public static async Task<MotoServer> StartAsync(int acmValidationWaitSeconds, CancellationToken cancellationToken = default)
    {
        Exception? last = null;

        // The free port can be taken between probing and binding by a parallel test; try a few ports.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = FreePort();
            var server = Launch(port, acmValidationWaitSeconds);
            try
            {
                await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(30), cancellationToken);
                return server;
            }
            catch (InvalidOperationException ex)
            {
                last = ex;
                await server.DisposeAsync();
            }
        }

        throw new InvalidOperationException("moto_server did not start after 3 attempts", last);
    }

    /// <summary>
    /// Test setup only (our product never creates zones): CreateHostedZone with a unique caller reference.
    /// Returns the zone id without the <c>/hostedzone/</c> prefix.
    /// </summary>
    public async Task<string> CreateHostedZoneAsync(string name, CancellationToken cancellationToken = default)
    {
        XNamespace ns = Route53Namespace;
        var body = new XDocument(new XElement(ns + "CreateHostedZoneRequest",
            new XElement(ns + "Name", name),
            new XElement(ns + "CallerReference", Guid.NewGuid().ToString("N"))));
        using var http = new HttpClient(new SigV4SigningHandler(Credentials, RegionEndpoint.USEast1, "route53", new SocketsHttpHandler()));
        using var content = new StringContent(body.ToString(SaveOptions.DisableFormatting), Encoding.UTF8, "application/xml");
        using var response = await http.PostAsync(new Uri(Endpoint, "2013-04-01/hostedzone"), content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"moto CreateHostedZone {name} failed: HTTP {(int)response.StatusCode}: {text}");
        }

        var id = XDocument.Parse(text).Descendants(ns + "HostedZone").Elements(ns + "Id").Single().Value;
        return id.StartsWith("/hostedzone/", StringComparison.Ordinal) ? id["/hostedzone/".Length..] : id;
    }

    /// <summary>
    /// Test setup only (our product never deletes certificates): ACM DeleteCertificate in <paramref name="region"/>,
    /// e.g. to stand for ACM replacing a certificate by another one (moto has no RenewCertificate).
    /// </summary>
    public async Task DeleteAcmCertificateAsync(string region, string arn, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient(new SigV4SigningHandler(Credentials, RegionEndpoint.GetBySystemName(region), "acm", new SocketsHttpHandler()));
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "CertificateManager.DeleteCertificate");
        request.Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["CertificateArn"] = arn }), Encoding.UTF8);
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.1");
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"moto DeleteCertificate {arn} failed: HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (InvalidOperationException ex)
        {
            // The process was never started or is already gone: nothing left to stop.
            Append("[testbed] " + ex.Message);
        }
        catch (OperationCanceledException)
        {
            Append("[testbed] moto_server did not exit within 10 s of being killed");
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static MotoServer Launch(int port, int acmValidationWaitSeconds)
    {
        var info = new ProcessStartInfo("moto_server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["MOTO_ACM_VALIDATION_WAIT"] = acmValidationWaitSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var argument in new[] { "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new MotoServer(process, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new InvalidOperationException("moto_server is not installed or not on PATH (pip install \"moto[server]\")", ex);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < limit)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"moto_server exited with code {_process.ExitCode} before answering:\n{Output}");
            }

            try
            {
                // Any HTTP answer means the server loop is up; moto's own API answers this path quickly.
                using var response = await http.GetAsync(new Uri(Endpoint, "moto-api/"), cancellationToken);
                return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet: poll again shortly.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // This probe timed out (server still importing): poll again.
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new InvalidOperationException($"moto_server did not answer on {Endpoint} within {limit}:\n{Output}");
    }
}
