namespace CertDaemon.Aws;

/// <summary>
/// An AWS endpoint (or whatever answers at its address: a proxy, a wrong endpoint URL) sent a response body larger than
/// <see cref="AwsResponseSizeLimitHandler.MaxResponseBytes"/>. Nothing more was read; not retried (the same endpoint
/// would answer the same).
/// </summary>
internal sealed class AwsResponseTooLargeException : Exception
{
    public AwsResponseTooLargeException(string service, Uri? requestUri, long limit, long? declaredLength)
        : base($"{service} answered {requestUri?.GetLeftPart(UriPartial.Path) ?? "a request"} with a response body "
            + (declaredLength is { } length ? $"of {length} bytes (Content-Length)" : $"of more than {limit} bytes")
            + $", over the limit of {limit} bytes; nothing more was read. Check the endpoint (AWS_ENDPOINT_URL_*) and any proxy in between.")
    {
        Service = service;
        Limit = limit;
        DeclaredLength = declaredLength;
    }

    public AwsResponseTooLargeException()
    {
        Service = string.Empty;
    }

    public AwsResponseTooLargeException(string message)
        : base(message)
    {
        Service = string.Empty;
    }

    public AwsResponseTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
        Service = string.Empty;
    }

    /// <summary>The SigV4 service name: <c>route53</c>, <c>acm</c>.</summary>
    public string Service { get; }

    /// <summary>The limit in bytes.</summary>
    public long Limit { get; }

    /// <summary>The Content-Length the response declared, when it declared one over the limit.</summary>
    public long? DeclaredLength { get; }
}
