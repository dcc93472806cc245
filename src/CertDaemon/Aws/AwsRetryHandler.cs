using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Aws;

/// <summary>
/// Retries AWS requests that may succeed later: throttling and <c>PriorRequestNotComplete</c> codes, HTTP 5xx/429,
/// dropped connections and timed-out attempts. Full-jitter exponential backoff bounded by <see cref="AwsRetryOptions"/>;
/// a <c>Retry-After</c> answer is waited out exactly. Everything else (e.g. <c>InvalidChangeBatch</c>,
/// <c>AccessDenied</c>) is returned at once.
/// </summary>
/// <remarks>
/// Sits <b>outside</b> the rate limiter and the SigV4 signer: every attempt is a fresh copy of the request (body
/// buffered once), so it takes its own rate-limit token and gets a fresh signature and <c>X-Amz-Date</c>.
/// When retries run out, the last answer is returned (or the last exception rethrown) for the client to map.
/// </remarks>
internal sealed class AwsRetryHandler : DelegatingHandler
{
    private readonly AwsRetryOptions _options;
    private readonly string _service;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Func<double> _jitter;

    /// <param name="options">Retry bounds; validated here.</param>
    /// <param name="service">SigV4 service name, for logs.</param>
    /// <param name="timeProvider">Clock for backoff delays and attempt timeouts.</param>
    /// <param name="logger">Receives <c>AwsRequestRetried</c> and <c>AwsRequestRetriesExhausted</c>.</param>
    /// <param name="jitter">Returns a value in [0, 1) scaling each backoff; the default is <see cref="Random.Shared"/>.</param>
    public AwsRetryHandler(AwsRetryOptions options, string service, TimeProvider timeProvider, ILogger logger, Func<double>? jitter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _service = service;
        _timeProvider = timeProvider;
        _logger = logger;
        _jitter = jitter ?? Random.Shared.NextDouble;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var operation = AwsRequestOptions.GetOperation(request);
        var idempotent = AwsRequestOptions.IsIdempotent(request);
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);

        for (var attempt = 1; ; attempt++)
        {
            using var attemptRequest = Copy(request, body);
            using var attemptTimeout = new CancellationTokenSource(_options.AttemptTimeout, _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attemptTimeout.Token);
            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(attemptRequest, linked.Token);
            }
            catch (Exception ex) when (idempotent && IsTransient(ex, cancellationToken) && attempt < _options.MaxAttempts)
            {
                var failure = ex is OperationCanceledException ? "AttemptTimeout" : ex.GetType().Name;
                await BackOffAsync(operation, attempt, Backoff(attempt), failure, cancellationToken);
                continue;
            }
            catch (Exception ex) when (IsTransient(ex, cancellationToken))
            {
                AwsLog.RequestRetriesExhausted(_logger, _service, operation, attempt, ex.GetType().Name);
                if (ex is OperationCanceledException)
                {
                    throw new TimeoutException($"{_service} {operation}: each of {attempt} attempts took longer than {_options.AttemptTimeout}.", ex);
                }

                throw;
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            // Buffer the error body so the classification here and the client's error mapping both can read it.
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var error = AwsErrorResponseReader.Parse(await response.Content.ReadAsStringAsync(cancellationToken), response.Headers);
            var code = error.Code ?? $"HTTP{(int)response.StatusCode}";
            // A request that must not run twice is repeated only when the answer proves it did not run (throttling).
            var retryable = idempotent
                ? AwsErrorCodes.IsRetryable(response.StatusCode, error.Code)
                : AwsErrorCodes.IsThrottling(response.StatusCode, error.Code);
            if (!retryable)
            {
                return response;
            }

            if (attempt >= _options.MaxAttempts)
            {
                AwsLog.RequestRetriesExhausted(_logger, _service, operation, attempt, code);
                return response;
            }

            var delay = Backoff(attempt);
            var retryAfter = RetryAfter(response.Headers.RetryAfter);
            if (retryAfter is { } wanted)
            {
                if (wanted > _options.MaxRetryAfter)
                {
                    AwsLog.RequestRetriesExhausted(_logger, _service, operation, attempt, code);
                    return response;
                }

                delay = wanted;
            }

            response.Dispose();
            await BackOffAsync(operation, attempt, delay, code, cancellationToken);
        }
    }

    private static bool IsTransient(Exception ex, CancellationToken callerToken) => ex switch
    {
        // The caller's own cancellation is never retried; an attempt timeout (our token) is.
        OperationCanceledException => !callerToken.IsCancellationRequested,
        HttpRequestException or IOException => true,
        _ => false,
    };

    private TimeSpan Backoff(int attempt)
    {
        var exponential = _options.BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var ceiling = Math.Min(_options.MaxDelay.TotalMilliseconds, exponential);
        return TimeSpan.FromMilliseconds(ceiling * Math.Clamp(_jitter(), 0, 1));
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - _timeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    private async Task BackOffAsync(string operation, int attempt, TimeSpan delay, string code, CancellationToken cancellationToken)
    {
        AwsLog.RequestRetried(_logger, _service, operation, attempt, delay, code);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _timeProvider, cancellationToken);
        }
    }

    private static HttpRequestMessage Copy(HttpRequestMessage original, byte[]? body)
    {
        var copy = new HttpRequestMessage(original.Method, original.RequestUri)
        {
            Version = original.Version,
            VersionPolicy = original.VersionPolicy,
        };
        // The original never reaches the signer (only copies do), so it carries no stale signature to drop.
        foreach (var header in original.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        foreach (var option in original.Options)
        {
            ((IDictionary<string, object?>)copy.Options)[option.Key] = option.Value;
        }

        if (body is not null && original.Content is not null)
        {
            copy.Content = new ByteArrayContent(body);
            foreach (var header in original.Content.Headers)
            {
                copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        return copy;
    }
}
