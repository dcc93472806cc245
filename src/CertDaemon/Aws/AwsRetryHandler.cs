using System.Net.Http.Headers;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace CertDaemon.Aws;

/// <summary>
/// Retries AWS requests that may succeed later: throttling and <c>PriorRequestNotComplete</c> codes, HTTP 5xx/429,
/// dropped connections and timed-out attempts. Full-jitter exponential backoff bounded by <see cref="AwsRetryOptions"/>;
/// a <c>Retry-After</c> answer is waited out exactly. Everything else (e.g. <c>InvalidChangeBatch</c>,
/// <c>AccessDenied</c>) is returned at once.
/// </summary>
/// <remarks>
/// The loop, the per-attempt timeout and the waits are a Polly <see cref="ResiliencePipeline{T}"/> on the injected
/// clock; what stays here is what Polly cannot know: <see cref="AwsErrorCodes"/> as the predicate, the AWS backoff
/// (Polly's jitter is decorrelated, not the full jitter the bounds promise) and the request copy. The handler sits
/// <b>outside</b> the rate limiter and the SigV4 signer, and the pipeline wraps the whole inner chain: every attempt
/// is a fresh copy of the request (body buffered once), so it takes its own rate-limit token and gets a fresh
/// signature and <c>X-Amz-Date</c>. When retries run out, the last answer is returned (or the last exception
/// rethrown) for the client to map.
/// </remarks>
internal sealed class AwsRetryHandler : DelegatingHandler
{
    private static readonly ResiliencePropertyKey<AwsCall> CallKey = new("certdaemon.aws.call");

    private readonly AwsRetryOptions _options;
    private readonly string _service;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Func<double> _jitter;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

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
        _pipeline = BuildPipeline();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var call = new AwsCall(request, body, AwsRequestOptions.GetOperation(request), AwsRequestOptions.IsIdempotent(request), cancellationToken);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        Outcome<HttpResponseMessage> outcome;
        try
        {
            context.Properties.Set(CallKey, call);
            outcome = await _pipeline.ExecuteOutcomeAsync(
                static async (attemptContext, state) => Outcome.FromResult(await state.Handler.AttemptAsync(state.Call, attemptContext.CancellationToken)),
                context,
                (Handler: this, Call: call));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (outcome.Exception is { } ex)
        {
            if (IsTransient(ex, cancellationToken))
            {
                AwsLog.RequestRetriesExhausted(_logger, _service, call.Operation, call.Attempts, FailureName(ex));
                if (ex is OperationCanceledException or TimeoutRejectedException)
                {
                    throw new TimeoutException($"{_service} {call.Operation}: each of {call.Attempts} attempts took longer than {_options.AttemptTimeout}.", ex);
                }
            }

            ExceptionDispatchInfo.Throw(ex);
        }

        var response = ResponseOf(outcome);
        if (RetryableFailure(response, call) is { } code)
        {
            // Still failing in a way worth repeating: the attempts ran out, or the server asked for too long a wait.
            AwsLog.RequestRetriesExhausted(_logger, _service, call.Operation, call.Attempts, code);
        }

        return response;
    }

    private ResiliencePipeline<HttpResponseMessage> BuildPipeline()
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _timeProvider };
        if (_options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = _options.MaxAttempts - 1,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context.Properties.GetValue(CallKey, null!))),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                    (args.Outcome is { Result: { } response } ? RetryAfter(response.Headers.RetryAfter) : null) ?? Backoff(args.AttemptNumber + 1)),
                OnRetry = args =>
                {
                    var call = args.Context.Properties.GetValue(CallKey, null!);
                    var code = args.Outcome.Exception is { } ex ? FailureName(ex) : RetryableFailure(ResponseOf(args.Outcome), call)!;
                    AwsLog.RequestRetried(_logger, _service, call.Operation, args.AttemptNumber + 1, args.RetryDelay, code);
                    return ValueTask.CompletedTask;
                },
            });
        }

        // Inside the retry: each attempt has its own limit, and a timed-out attempt is one more transient failure.
        return builder.AddTimeout(_options.AttemptTimeout).Build();
    }

    private async Task<HttpResponseMessage> AttemptAsync(AwsCall call, CancellationToken attemptToken)
    {
        call.Attempts++;
        call.LastErrorCode = null;
        using var attemptRequest = Copy(call.Request, call.Body);
        var response = await base.SendAsync(attemptRequest, attemptToken);
        if (!response.IsSuccessStatusCode)
        {
            // Buffer the error body so the classification here and the client's error mapping both can read it.
            await response.Content.LoadIntoBufferAsync(call.CallerToken);
            var error = AwsErrorResponseReader.Parse(await response.Content.ReadAsStringAsync(call.CallerToken), response.Headers);
            call.LastErrorCode = error.Code;
        }

        return response;
    }

    private bool ShouldRetry(Outcome<HttpResponseMessage> outcome, AwsCall call)
    {
        if (outcome.Exception is { } ex)
        {
            return call.Idempotent && IsTransient(ex, call.CallerToken);
        }

        var response = ResponseOf(outcome);
        // A Retry-After longer than the bound ends the retries rather than blocking a renewal for minutes.
        return RetryableFailure(response, call) is not null
            && (RetryAfter(response.Headers.RetryAfter) is not { } wanted || wanted <= _options.MaxRetryAfter);
    }

    /// <summary>
    /// The response of an outcome that carries no exception. Polly's outcome is a finished value, so reading it never
    /// blocks; every attempt is awaited inside the pipeline.
    /// </summary>
    private static HttpResponseMessage ResponseOf(Outcome<HttpResponseMessage> outcome) =>
        outcome is { Result: { } response }
            ? response
            : throw new InvalidOperationException("an AWS attempt ended with neither a response nor an exception");

    /// <summary>The failure's code when <paramref name="response"/> is worth repeating; null when it is final.</summary>
    private static string? RetryableFailure(HttpResponseMessage response, AwsCall call)
    {
        if (response.IsSuccessStatusCode)
        {
            return null;
        }

        // A request that must not run twice is repeated only when the answer proves it did not run (throttling).
        var retryable = call.Idempotent
            ? AwsErrorCodes.IsRetryable(response.StatusCode, call.LastErrorCode)
            : AwsErrorCodes.IsThrottling(response.StatusCode, call.LastErrorCode);
        return retryable ? call.LastErrorCode ?? $"HTTP{(int)response.StatusCode}" : null;
    }

    private static bool IsTransient(Exception ex, CancellationToken callerToken) => ex switch
    {
        // The caller's own cancellation is never retried; an attempt timeout (ours, or the transport's) is.
        OperationCanceledException => !callerToken.IsCancellationRequested,
        TimeoutRejectedException or HttpRequestException or IOException => true,
        _ => false,
    };

    private static string FailureName(Exception ex) =>
        ex is OperationCanceledException or TimeoutRejectedException ? "AttemptTimeout" : ex.GetType().Name;

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

    /// <summary>One call through the handler: what every attempt copies, and what the last attempt answered.</summary>
    private sealed record AwsCall(HttpRequestMessage Request, byte[]? Body, string Operation, bool Idempotent, CancellationToken CallerToken)
    {
        public int Attempts { get; set; }

        public string? LastErrorCode { get; set; }
    }
}
