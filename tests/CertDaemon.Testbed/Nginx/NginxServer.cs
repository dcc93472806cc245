using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using CertDaemon.Configuration;

namespace CertDaemon.Testbed.Nginx;

/// <summary>
/// A real nginx (Debian's <c>/usr/sbin/nginx</c>) for tests, confined to its own prefix directory: configuration,
/// pid file, error and access logs and every temp path are inside it, so it never touches <c>/etc/nginx</c>,
/// <c>/var/log/nginx</c> or <c>/var/lib/nginx</c>. It listens on a free 127.0.0.1 port with TLS.
/// </summary>
/// <remarks>
/// The master runs in the foreground (<c>daemon off;</c>) as our child, so a crashed test run cannot leave it behind;
/// it still writes its pid file, and <see cref="ReloadCommand"/> (<c>nginx -s reload</c>) signals it exactly as on a
/// real host. Running as root needs no <c>user</c> directive: the master stays root (it reads the keys) and the
/// workers drop to <c>nobody</c>, which only ever touches the prefix's temp directories nginx creates for it.
/// Every command passes <c>-e PREFIX/error.log</c>, otherwise nginx opens its compiled-in <c>/var/log/nginx/error.log</c>
/// before reading any configuration.
/// </remarks>
public sealed partial class NginxServer : IAsyncDisposable
{
    public const string NginxProgram = "/usr/sbin/nginx";

    private const string BrokenMarker = "# certdaemon-testbed: broken on purpose\n";
    private readonly ManagedProcess _process;
    private readonly string _configuration;

    private NginxServer(ManagedProcess process, string prefix, int port, string configuration, NginxServerOptions options)
    {
        _process = process;
        Prefix = prefix;
        Port = port;
        _configuration = configuration;
        Options = options;
    }

    public NginxServerOptions Options { get; }

    /// <summary>The prefix directory (<c>-p</c>).</summary>
    public string Prefix { get; }

    public int Port { get; }

    /// <summary><c>127.0.0.1:PORT</c>: what <see cref="NginxOptions.VerifyAddress"/> should say.</summary>
    public string Address => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    public string ConfigPath => Path.Combine(Prefix, "nginx.conf");

    public string ErrorLogPath => Path.Combine(Prefix, "error.log");

    public string PidFilePath => Path.Combine(Prefix, "nginx.pid");

    /// <summary>The master's process id (our child; the pid file says the same).</summary>
    public int MasterPid => _process.Id;

    /// <summary><c>nginx -p PREFIX -c PREFIX/nginx.conf -e PREFIX/error.log -t</c>: for <see cref="NginxOptions.TestCommand"/>.</summary>
    public IReadOnlyList<string> TestCommand => [.. BaseCommand, "-t"];

    /// <summary><c>nginx -p PREFIX -c PREFIX/nginx.conf -e PREFIX/error.log -s reload</c>: for <see cref="NginxOptions.ReloadCommand"/>.</summary>
    public IReadOnlyList<string> ReloadCommand => [.. BaseCommand, "-s", "reload"];

    /// <summary><c>nginx ... -s stop</c> (fast shutdown).</summary>
    public IReadOnlyList<string> StopCommand => [.. BaseCommand, "-s", "stop"];

    private string[] BaseCommand => [NginxProgram, "-p", Prefix + "/", "-c", ConfigPath, "-e", ErrorLogPath];

    /// <summary>The error log (notice level, so reloads show) followed by what the master printed.</summary>
    public string Logs => $"[nginx error.log]\n{ReadErrorLog()}\n{_process.Output}";

    /// <summary>How many times the master received SIGHUP (a reload) so far, from its error log.</summary>
    public int ReloadSignalCount => SighupLine().Matches(ReadErrorLog()).Count;

    /// <summary>Product options pointing at this nginx.</summary>
    internal NginxOptions ToNginxOptions(TimeSpan? commandTimeout = null) => new()
    {
        Enabled = true,
        TestCommand = TestCommand,
        ReloadCommand = ReloadCommand,
        VerifyAddress = Address,
        CommandTimeout = commandTimeout ?? TimeSpan.FromSeconds(10),
    };

    /// <summary>Starts nginx and waits until it accepts connections.</summary>
    public static async Task<NginxServer> StartAsync(NginxServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Sites.Count == 0)
        {
            throw new ArgumentException("at least one site is needed", nameof(options));
        }

        foreach (var site in options.Sites)
        {
            PrepareCertificate(site, options.WriteSelfSignedIfMissing);
        }

        var prefix = options.PrefixDirectory ?? TestbedPaths.NewRunDirectory("nginx");
        Directory.CreateDirectory(prefix);
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var configuration = RenderConfiguration(prefix, port, options.Sites);
            await File.WriteAllTextAsync(Path.Combine(prefix, "nginx.conf"), configuration, cancellationToken);
            var process = ManagedProcess.Start(
                "nginx", NginxProgram, ["-p", prefix + "/", "-c", Path.Combine(prefix, "nginx.conf"), "-e", Path.Combine(prefix, "error.log")], workingDirectory: prefix);
            var server = new NginxServer(process, prefix, port, configuration, options);
            try
            {
                await server.WaitUntilListeningAsync(cancellationToken);
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3 && server.ReadErrorLog().Contains("Address already in use", StringComparison.Ordinal))
            {
                // FreePort's port was taken by someone else in between: try another one.
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Reads the pid file nginx wrote.</summary>
    public int ReadPidFile() => int.Parse(File.ReadAllText(PidFilePath).Trim(), CultureInfo.InvariantCulture);

    /// <summary>Appends a syntax error (an unmatched <c>}</c>): <c>nginx -t</c> then fails with <c>[emerg] unexpected "}"</c>.</summary>
    public void BreakConfiguration() => File.WriteAllText(ConfigPath, _configuration + BrokenMarker + "}\n");

    /// <summary>Writes the configuration nginx was started with back.</summary>
    public void RestoreConfiguration() => File.WriteAllText(ConfigPath, _configuration);

    /// <summary>Writes a self-signed EC P-256 certificate for <paramref name="names"/> and its key (PKCS#8, mode 0600); returns the serial (lower-case hex).</summary>
    public static string WriteSelfSignedCertificate(string certificatePath, string keyPath, IReadOnlyList<string> names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + names[0], key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        var now = TimeProvider.System.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        Directory.CreateDirectory(Path.GetDirectoryName(certificatePath)!);
        Directory.CreateDirectory(Path.GetDirectoryName(keyPath)!);
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, "", Encoding.ASCII);
        File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        return certificate.SerialNumber.ToLowerInvariant();
    }

    private static void PrepareCertificate(NginxSite site, bool writeSelfSigned)
    {
        if (File.Exists(site.CertificatePath) && File.Exists(site.KeyPath))
        {
            return;
        }

        if (!writeSelfSigned)
        {
            throw new InvalidOperationException(
                $"nginx cannot start without {site.CertificatePath} and {site.KeyPath}: write them first (start after the first issuance) or set WriteSelfSignedIfMissing");
        }

        var names = site.ServerNames.Where(n => !n.StartsWith('~')).DefaultIfEmpty("localhost").ToList();
        WriteSelfSignedCertificate(site.CertificatePath, site.KeyPath, names);
    }

    private static string RenderConfiguration(string prefix, int port, IReadOnlyList<NginxSite> sites)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $$"""
            # Written by CertDaemon.Testbed.Nginx.NginxServer. Everything stays under {{prefix}}.
            daemon off;
            master_process on;
            worker_processes 1;
            pid "{{prefix}}/nginx.pid";
            error_log "{{prefix}}/error.log" notice;
            events { worker_connections 64; }
            http {
                access_log "{{prefix}}/access.log";
                client_body_temp_path "{{prefix}}/client_body_temp";
                proxy_temp_path "{{prefix}}/proxy_temp";
                fastcgi_temp_path "{{prefix}}/fastcgi_temp";
                uwsgi_temp_path "{{prefix}}/uwsgi_temp";
                scgi_temp_path "{{prefix}}/scgi_temp";

            """);
        for (var i = 0; i < sites.Count; i++)
        {
            var site = sites[i];
            text.Append(CultureInfo.InvariantCulture, $$"""
                    server {
                        listen 127.0.0.1:{{port}} ssl{{(i == 0 ? " default_server" : "")}};
                        server_name {{string.Join(' ', site.ServerNames.Select(n => "\"" + n + "\""))}};
                        ssl_certificate "{{site.CertificatePath}}";
                        ssl_certificate_key "{{site.KeyPath}}";
                        return 200 "certdaemon-testbed site {{i}}\n";
                    }

                """);
        }

        text.Append("}\n");
        return text.ToString();
    }

    private async Task WaitUntilListeningAsync(CancellationToken cancellationToken)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(10);
        while (true)
        {
            _process.ThrowIfExited();
            if (File.Exists(PidFilePath) && await CanConnectAsync(cancellationToken))
            {
                return;
            }

            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"nginx did not listen on {Address} within 10 s:\n{Logs}");
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    private async Task<bool> CanConnectAsync(CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", Port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private string ReadErrorLog()
    {
        try
        {
            using var stream = new FileStream(ErrorLogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return "(no error.log yet)";
        }
    }

    /// <summary>Stops nginx with <c>nginx -s stop</c> and waits for it; kills the tree if it does not go within 5 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            var stop = new ProcessStartInfo(NginxProgram) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in StopCommand.Skip(1))
            {
                stop.ArgumentList.Add(argument);
            }

            // A broken configuration makes "-s stop" fail (nginx parses it first): the kill below still ends it.
            RestoreConfiguration();
            using (var stopper = Process.Start(stop)!)
            {
                using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await stopper.WaitForExitAsync(stopTimeout.Token);
            }

            var deadline = TimeProvider.System.GetUtcNow().AddSeconds(5);
            while (!_process.HasExited && TimeProvider.System.GetUtcNow() < deadline)
            {
                await Task.Delay(20);
            }
        }

        await _process.DisposeAsync();
    }

    [GeneratedRegex(@"signal 1 \(SIGHUP\) received")]
    private static partial Regex SighupLine();
}
