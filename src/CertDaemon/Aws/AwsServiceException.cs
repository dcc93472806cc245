using System.Net;

namespace CertDaemon.Aws;

/// <summary>
/// An error answer from an AWS service (Route53's XML <c>ErrorResponse</c>, ACM's JSON <c>__type</c>), typed by code.
/// </summary>
internal class AwsServiceException : Exception
{
    public AwsServiceException(string service, string operation, HttpStatusCode statusCode, string code, string message, string? requestId)
        : base($"{service} {operation} failed: {code}: {message} (HTTP {(int)statusCode}{(requestId is null ? "" : $", request id {requestId}")})")
    {
        Service = service;
        Operation = operation;
        StatusCode = statusCode;
        Code = code;
        ServiceMessage = message;
        RequestId = requestId;
    }

    public AwsServiceException()
    {
        Service = Operation = Code = ServiceMessage = string.Empty;
    }

    public AwsServiceException(string message) : base(message)
    {
        Service = Operation = Code = ServiceMessage = string.Empty;
    }

    public AwsServiceException(string message, Exception innerException) : base(message, innerException)
    {
        Service = Operation = Code = ServiceMessage = string.Empty;
    }

    /// <summary><c>route53</c> or <c>acm</c>.</summary>
    public string Service { get; }

    /// <summary>The API call, e.g. <c>ChangeResourceRecordSets</c>.</summary>
    public string Operation { get; }

    public HttpStatusCode StatusCode { get; }

    /// <summary>The service's error code without any <c>...#</c> prefix, e.g. <c>InvalidChangeBatch</c>.</summary>
    public string Code { get; }

    /// <summary>The service's own message.</summary>
    public string ServiceMessage { get; }

    public string? RequestId { get; }

    /// <summary>
    /// True when the same request may succeed later (throttling, a prior change still running, a server fault).
    /// The AWS handler chain already retried such errors before this exception surfaced; callers that retry at a
    /// higher level (e.g. the next renewal attempt) can use it to tell "try later" from "fix something first".
    /// </summary>
    public bool IsRetryable => AwsErrorCodes.IsRetryable(StatusCode, Code);
}
