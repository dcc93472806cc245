using System.Net;
using CertDaemon.Monitoring;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Hosting;

/// <summary>
/// Serves <c>GET /metrics</c> at <c>Metrics.ListenAddress</c> (plain HTTP, the Prometheus text format) while the daemon
/// runs; every scrape renders the current state files, so it agrees with <c>certdaemon metrics</c> and the textfile.
/// </summary>
/// <remarks>
/// The address is read once at start (a configuration reload does not move the listener; restart for that). A
/// listener that cannot bind is logged (<c>MetricsListenerFailed</c>) and the daemon keeps renewing.
/// </remarks>
internal sealed class MetricsListener(DaemonRuntime runtime, ILogger<MetricsListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (runtime.Configuration.Options.Metrics.ListenAddress is not { } address)
        {
            return;
        }

        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://{address}/");
        try
        {
            listener.Start();
        }
        catch (HttpListenerException e)
        {
            MonitoringLog.MetricsListenerFailed(logger, address, e.Message);
            return;
        }

        MonitoringLog.MetricsListening(logger, address);
        await using var stop = stoppingToken.Register(listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException && stoppingToken.IsCancellationRequested)
            {
                return;
            }

            await AnswerAsync(context, stoppingToken);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context, CancellationToken cancellationToken)
    {
        using var response = context.Response;
        if (context.Request.HttpMethod != "GET" || context.Request.Url?.AbsolutePath != "/metrics")
        {
            response.StatusCode = (int)HttpStatusCode.NotFound;
            return;
        }

        try
        {
            await using var lease = runtime.Acquire();
            var body = System.Text.Encoding.UTF8.GetBytes(await lease.Get<MetricsPublisher>().RenderAsync(cancellationToken));
            response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            response.ContentLength64 = body.Length;
            await response.OutputStream.WriteAsync(body, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Storage.CertificateStoreException or HttpListenerException)
        {
            MonitoringLog.MetricsListenerFailed(logger, context.Request.LocalEndPoint.ToString(), e.Message);
            response.StatusCode = (int)HttpStatusCode.InternalServerError;
        }
    }
}
