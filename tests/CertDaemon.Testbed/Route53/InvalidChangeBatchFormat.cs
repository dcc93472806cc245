namespace CertDaemon.Testbed.Route53;

/// <summary>
/// Route53 answers InvalidChangeBatch in two shapes in the wild (the AWS SDKs carry a customization for the second):
/// the usual <c>&lt;ErrorResponse&gt;</c> and a bare <c>&lt;InvalidChangeBatch&gt;&lt;Messages&gt;&lt;Message/&gt;...</c> document.
/// </summary>
public enum InvalidChangeBatchFormat
{
    ErrorResponse,
    MessagesDocument,
}
