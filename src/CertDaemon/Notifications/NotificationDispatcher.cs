using System.Globalization;
using System.Net.Http.Json;
using System.Threading.Channels;
using CertDaemon.Configuration;
using CertDaemon.Processes;
using CertDaemon.Renewal;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Notifications;

/// <summary>
/// Sends notifications (webhook POST and/or command) in the background: a check only queues one, so a slow or dead
/// receiver never delays a renewal. Each channel gets <see cref="Attempts"/> attempts, each bounded by
/// <see cref="AttemptTimeout"/>, <see cref="RetryDelay"/> apart. Disposing waits at most <see cref="DrainTimeout"/>
/// for what is queued (a one-shot <c>renew</c> thus still delivers its failure notice), then drops the rest with a
/// <c>NotificationsDropped</c> event.
/// </summary>
internal sealed class NotificationDispatcher : IRenewalCheckObserver, IAsyncDisposable
{
    public const int Attempts = 3;
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);
    private const int QueueCapacity = 64;

    private readonly NotificationOptions _options;
    private readonly bool _enabled;
    private readonly CertificateStatusReader _statuses;
    private readonly HttpClient _http;
    private readonly CommandRunner _commands;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Notification> _queue = Channel.CreateBounded<Notification>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _pump;
    private int _dropped;

    public NotificationDispatcher(
        CertDaemonOptions options, CertificateStatusReader statuses, HttpClient http, CommandRunner commands, TimeProvider time, ILogger<NotificationDispatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Notifications;
        _enabled = _options.WebhookUrl is not null || _options.Command.Count > 0;
        _statuses = statuses;
        _http = http;
        _commands = commands;
        _time = time;
        _logger = logger;
        _pump = _enabled ? Task.Run(PumpAsync) : Task.CompletedTask;
    }

    public Task OnCheckedAsync(ManagedCertificate certificate, RenewalCheckResult result, CheckHistory? before, CertificateState state, CancellationToken cancellationToken)
    {
        if (!_enabled)
        {
            return Task.CompletedTask;
        }

        var now = _time.GetUtcNow();
        var status = _statuses.Describe(certificate, state, now);
        if (NotificationPlanner.Decide(_options.On, status, result, before, Environment.MachineName, now) is { } notification
            && !_queue.Writer.TryWrite(notification))
        {
            Interlocked.Increment(ref _dropped);
        }

        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _pump.WaitAsync(DrainTimeout, _time);
        }
        catch (TimeoutException)
        {
            await _stopping.CancelAsync();
            Interlocked.Add(ref _dropped, _queue.Reader.Count);
        }

        _http.Dispose();

        if (_dropped > 0)
        {
            NotificationLog.Dropped(_logger, _dropped);
        }

        _stopping.Dispose();
    }

    private async Task PumpAsync()
    {
        await foreach (var notification in _queue.Reader.ReadAllAsync(_stopping.Token))
        {
            if (_options.WebhookUrl is { } url)
            {
                await DeliverAsync("webhook", notification, token => PostAsync(url, notification, token));
            }

            if (_options.Command.Count > 0)
            {
                await DeliverAsync("command", notification, token => RunCommandAsync(notification, token));
            }
        }
    }

    /// <summary>Up to <see cref="Attempts"/> tries; returns null on success, else why the last one failed.</summary>
    private async Task DeliverAsync(string channel, Notification notification, Func<CancellationToken, Task<string?>> attempt)
    {
        for (var i = 1; i <= Attempts; i++)
        {
            string? error;
            using (var timeout = new CancellationTokenSource(AttemptTimeout, _time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopping.Token))
            {
                try
                {
                    error = await attempt(linked.Token);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested)
                {
                    error = $"no answer within {AttemptTimeout.TotalSeconds:0} s";
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Whatever one receiver does must not stop the queue: the next notification still goes out.
                    error = e.Message;
                }
            }

            if (error is null)
            {
                NotificationLog.Sent(_logger, channel, notification.Event, notification.CertificateName);
                return;
            }

            NotificationLog.Failed(_logger, channel, notification.Event, notification.CertificateName, i, Attempts, error);
            if (i < Attempts)
            {
                await Task.Delay(RetryDelay * i, _time, _stopping.Token);
            }
        }
    }

    private async Task<string?> PostAsync(Uri url, Notification notification, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync(url, notification, NotificationJsonContext.Default.Notification, cancellationToken);
        // The status only: a receiver's error page could echo the URL's token.
        return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
    }

    private async Task<string?> RunCommandAsync(Notification notification, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string?>
        {
            ["CERTDAEMON_EVENT"] = notification.Event,
            ["CERTDAEMON_CERTIFICATE"] = notification.CertificateName,
            ["CERTDAEMON_DOMAINS"] = string.Join(' ', notification.Domains),
            ["CERTDAEMON_SERIAL"] = notification.Serial ?? "",
            ["CERTDAEMON_NOT_AFTER"] = Iso(notification.NotAfter),
            ["CERTDAEMON_SERVED_NOT_AFTER"] = Iso(notification.ServedNotAfter),
            ["CERTDAEMON_FAILED_TARGETS"] = string.Join(' ', notification.FailedTargets),
            ["CERTDAEMON_ERROR"] = notification.Error ?? "",
            ["CERTDAEMON_RETRY_AT"] = Iso(notification.RetryAt),
            ["CERTDAEMON_HOST"] = notification.Host,
            ["CERTDAEMON_MESSAGE"] = notification.Text,
        };
        var result = await _commands.RunAsync(_options.Command, AttemptTimeout, environment, cancellationToken);
        return result.Succeeded ? null : result.Describe();
    }

    private static string Iso(DateTimeOffset? value) => value?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "";
}
