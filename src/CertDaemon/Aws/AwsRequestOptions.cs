namespace CertDaemon.Aws;

/// <summary>Per-request facts the AWS handlers log (never anything secret).</summary>
internal static class AwsRequestOptions
{
    /// <summary>The API call name, e.g. <c>ChangeResourceRecordSets</c>.</summary>
    public static readonly HttpRequestOptionsKey<string> Operation = new("CertDaemon.Aws.Operation");

    /// <summary>
    /// Set to <see langword="false"/> on a request that must not run twice (ACM ImportCertificate without an ARN
    /// creates a new certificate each time). <see cref="AwsRetryHandler"/> then repeats it only after answers that
    /// prove it was not processed (throttling); a 5xx, a dropped connection or a timed-out attempt is handed back to
    /// the caller, which can look for the effect before trying again. Absent means idempotent.
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> Idempotent = new("CertDaemon.Aws.Idempotent");

    public static string GetOperation(HttpRequestMessage request) =>
        request.Options.TryGetValue(Operation, out var operation) ? operation : request.Method.Method;

    public static bool IsIdempotent(HttpRequestMessage request) =>
        !request.Options.TryGetValue(Idempotent, out var idempotent) || idempotent;
}
