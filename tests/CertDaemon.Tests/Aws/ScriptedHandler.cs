using System.Net;
using System.Text;

namespace CertDaemon.Tests.Aws;

/// <summary>
/// In-process stand-in for the network: answers each attempt from a script and records what arrived (after
/// signing), with the fake clock's time. Only for behaviour moto cannot produce (throttling, 5xx, dropped connections).
/// </summary>
internal sealed class ScriptedHandler(TimeProvider clock, Func<int, HttpRequestMessage, HttpResponseMessage> script) : HttpMessageHandler
{
    private readonly List<SeenRequest> _seen = [];

    public IReadOnlyList<SeenRequest> Seen
    {
        get
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }
    }

    public static HttpResponseMessage Xml(HttpStatusCode status, string xml) =>
        new(status) { Content = new StringContent(xml, Encoding.UTF8, "text/xml") };

    public static HttpResponseMessage Route53Error(HttpStatusCode status, string code, string message = "test") =>
        Xml(status, $"<?xml version=\"1.0\"?><ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>req-{code}</RequestId></ErrorResponse>");

    public static HttpResponseMessage ChangeInfoOk() =>
        Xml(HttpStatusCode.OK, "<?xml version=\"1.0\"?><ChangeResourceRecordSetsResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ChangeInfo><Id>/change/C123</Id><Status>PENDING</Status><SubmittedAt>2026-01-02T03:04:05.678Z</SubmittedAt></ChangeInfo></ChangeResourceRecordSetsResponse>");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        int attempt;
        lock (_seen)
        {
            _seen.Add(new SeenRequest(
                request.Method,
                request.RequestUri!,
                request.Headers.TryGetValues("Authorization", out var auth) ? string.Join(",", auth) : null,
                request.Headers.TryGetValues("X-Amz-Date", out var dates) ? dates.Single() : null,
                body,
                clock.GetUtcNow()));
            attempt = _seen.Count;
        }

        return script(attempt, request);
    }

    internal sealed record SeenRequest(HttpMethod Method, Uri Uri, string? Authorization, string? AmzDate, string? Body, DateTimeOffset At);
}
