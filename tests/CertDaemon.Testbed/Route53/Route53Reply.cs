using System.Xml.Linq;

namespace CertDaemon.Testbed.Route53;

/// <summary>What one request is answered with: a status and an XML document, or an instruction to abort the connection.</summary>
internal sealed record Route53Reply(int StatusCode, XDocument? Body, string? ErrorCode = null, string? ErrorMessage = null, bool AbortConnection = false)
{
    public static readonly XNamespace Ns = "https://route53.amazonaws.com/doc/2013-04-01/";

    public bool IsSuccess => StatusCode is >= 200 and < 300;

    public static Route53Reply Ok(XElement root) => new(200, new XDocument(new XDeclaration("1.0", "UTF-8", null), root));

    /// <summary><c>&lt;ErrorResponse&gt;</c>; Type is Receiver for 5xx, Sender otherwise. The RequestId element is filled in when written.</summary>
    public static Route53Reply Error(int statusCode, string code, string message) =>
        new(statusCode,
            new XDocument(
                new XDeclaration("1.0", "UTF-8", null),
                new XElement(Ns + "ErrorResponse",
                    new XElement(Ns + "Error",
                        new XElement(Ns + "Type", statusCode >= 500 ? "Receiver" : "Sender"),
                        new XElement(Ns + "Code", code),
                        new XElement(Ns + "Message", message)),
                    new XElement(Ns + "RequestId"))),
            code,
            message);

    /// <summary>InvalidChangeBatch, in either shape Route53 uses; AWS joins several problems as <c>[a, b]</c> in the ErrorResponse form.</summary>
    public static Route53Reply InvalidChangeBatch(IReadOnlyList<string> messages, InvalidChangeBatchFormat format)
    {
        var joined = "[" + string.Join(", ", messages) + "]";
        if (format == InvalidChangeBatchFormat.ErrorResponse)
        {
            return Error(400, "InvalidChangeBatch", joined);
        }

        return new Route53Reply(
            400,
            new XDocument(
                new XDeclaration("1.0", "UTF-8", null),
                new XElement(Ns + "InvalidChangeBatch",
                    new XElement(Ns + "Messages", messages.Select(m => new XElement(Ns + "Message", m))),
                    new XElement(Ns + "RequestId"))),
            "InvalidChangeBatch",
            joined);
    }

    public static Route53Reply Abort(string code) => new(0, null, code, "connection aborted", AbortConnection: true);
}
