using System.Net;
using System.Text;
using System.Text.Json;

namespace CertDaemon.Tests.Aws.Acm;

/// <summary>What can go wrong with one ACM call in <see cref="AcmTraffic"/>.</summary>
internal enum AcmFault
{
    None,

    /// <summary>Answered <c>400 com.amazonaws.acm#ThrottlingException</c> without reaching the server.</summary>
    Throttle,

    /// <summary>Answered 500 <c>InternalFailure</c> without reaching the server.</summary>
    ServerErrorBeforeServer,

    /// <summary>Forwarded to the server (which acts on it), then the answer is replaced by 503: a lost answer.</summary>
    AnswerLost,
}

/// <summary>
/// The transport under the AWS pipeline (after signing) for tests against moto: records every ACM call as sent,
/// counts calls per operation, and injects faults that moto cannot produce (throttling, server faults, lost answers).
/// </summary>
internal sealed class AcmTraffic : DelegatingHandler
{
    private readonly List<AcmCall> _calls = [];

    public AcmTraffic()
        : base(new SocketsHttpHandler())
    {
    }

    /// <summary>Decides the fault of each call: (call, how many calls of this operation came before it).</summary>
    public Func<AcmCall, int, AcmFault> Faults { get; set; } = (_, _) => AcmFault.None;

    public IReadOnlyList<AcmCall> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    public int Count(string operation) => Calls.Count(c => c.Operation == operation);

    public IEnumerable<AcmCall> Of(string operation) => Calls.Where(c => c.Operation == operation);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var target = request.Headers.TryGetValues("X-Amz-Target", out var targets) ? targets.Single() : "";
        var authorization = request.Headers.TryGetValues("Authorization", out var auth) ? string.Join(",", auth) : "";
        var call = new AcmCall(
            target.StartsWith("CertificateManager.", StringComparison.Ordinal) ? target["CertificateManager.".Length..] : target,
            RegionOf(authorization),
            body,
            request.Content?.Headers.ContentType?.MediaType);
        int before;
        lock (_calls)
        {
            before = _calls.Count(c => c.Operation == call.Operation);
            _calls.Add(call);
        }

        switch (Faults(call, before))
        {
            case AcmFault.Throttle:
                return Error(HttpStatusCode.BadRequest, "com.amazonaws.acm#ThrottlingException", "Rate exceeded");
            case AcmFault.ServerErrorBeforeServer:
                return Error(HttpStatusCode.InternalServerError, "InternalFailure", "injected before the server");
            case AcmFault.AnswerLost:
                using (var real = await base.SendAsync(request, cancellationToken))
                {
                    await real.Content.ReadAsStringAsync(cancellationToken);
                }

                return Error(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", "injected after the server acted");
            default:
                return await base.SendAsync(request, cancellationToken);
        }
    }

    private static HttpResponseMessage Error(HttpStatusCode status, string type, string message) =>
        new(status) { Content = new StringContent($"{{\"__type\":\"{type}\",\"message\":\"{message}\"}}", Encoding.UTF8, "application/x-amz-json-1.1") };

    // Credential=AKID/20260101/us-east-1/acm/aws4_request
    private static string RegionOf(string authorization)
    {
        var start = authorization.IndexOf("Credential=", StringComparison.Ordinal);
        if (start < 0)
        {
            return "";
        }

        var parts = authorization[(start + "Credential=".Length)..].Split(',')[0].Split('/');
        return parts.Length >= 3 ? parts[2] : "";
    }
}

/// <summary>One ACM request as it left the pipeline (signed).</summary>
internal sealed record AcmCall(string Operation, string Region, string Body, string? ContentType)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    public bool Has(string member) => Json.TryGetProperty(member, out _);

    /// <summary>A blob member decoded: base64 of bytes, the bytes being PEM text.</summary>
    public string Blob(string member) => Encoding.ASCII.GetString(Convert.FromBase64String(Json.GetProperty(member).GetString()!));
}
