namespace CertDaemon.Testbed.Route53;

/// <summary>What an injected fault does to one request. Except <see cref="DropConnectionAfterCommit"/>, a fault replaces the operation: nothing is applied.</summary>
public enum Route53Fault
{
    /// <summary>HTTP 400 <c>Throttling</c> "Rate exceeded".</summary>
    Throttling,

    /// <summary>HTTP 400 <c>PriorRequestNotComplete</c>.</summary>
    PriorRequestNotComplete,

    /// <summary>HTTP 500 <c>InternalFailure</c> (Type Receiver).</summary>
    InternalError,

    /// <summary>HTTP 403 <c>AccessDenied</c>: the caller's IAM policy does not allow the operation (never retried).</summary>
    AccessDenied,

    /// <summary>
    /// HTTP 400 <c>InvalidChangeBatch</c> as Route53 answers a DELETE whose values no longer match (someone changed the
    /// set between the caller's read and its write); nothing is applied.
    /// </summary>
    InvalidChangeBatch,

    /// <summary>The connection is aborted before anything is applied or answered.</summary>
    DropConnection,

    /// <summary>
    /// The operation runs (a change batch is committed) and then the connection is aborted without a response:
    /// the "did my CREATE go through?" case. Only through the fault queue, never by probability.
    /// </summary>
    DropConnectionAfterCommit,
}
