namespace CertDaemon.Aws;

/// <summary>Per-request facts the AWS handlers log (never anything secret).</summary>
internal static class AwsRequestOptions
{
    /// <summary>The API call name, e.g. <c>ChangeResourceRecordSets</c>.</summary>
    public static readonly HttpRequestOptionsKey<string> Operation = new("CertDaemon.Aws.Operation");

    public static string GetOperation(HttpRequestMessage request) =>
        request.Options.TryGetValue(Operation, out var operation) ? operation : request.Method.Method;
}
