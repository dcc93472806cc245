using System.Net.Http.Headers;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace CertDaemon.Aws;

/// <summary>
/// Reads the error code, message and request id from an AWS error answer in either wire family: REST-XML
/// (<c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Code/&gt;...</c>, Route53) or JSON (<c>{"__type":"...#Code","message":...}</c>, ACM),
/// plus the <c>x-amzn-ErrorType</c> / <c>x-amzn-RequestId</c> headers.
/// </summary>
internal static class AwsErrorResponseReader
{
    /// <summary>The parsed error; <see cref="Code"/> is null when the body is no AWS error document.</summary>
    public sealed record AwsError(string? Code, string? Message, string? RequestId);

    public static AwsError Parse(string? body, HttpResponseHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        string? code = null, message = null, requestId = null;
        var text = body?.TrimStart();
        if (!string.IsNullOrEmpty(text) && text[0] == '<')
        {
            (code, message, requestId) = ParseXml(text);
        }
        else if (!string.IsNullOrEmpty(text) && text[0] == '{')
        {
            (code, message) = ParseJson(text);
        }

        if (code is null && headers.TryGetValues("x-amzn-ErrorType", out var errorTypes))
        {
            code = errorTypes.FirstOrDefault();
        }

        if (requestId is null && headers.TryGetValues("x-amzn-RequestId", out var ids))
        {
            requestId = ids.FirstOrDefault();
        }

        return new AwsError(string.IsNullOrWhiteSpace(code) ? null : AwsErrorCodes.Normalize(code), message, requestId);
    }

    private static (string? Code, string? Message, string? RequestId) ParseXml(string text)
    {
        try
        {
            var root = XDocument.Parse(text).Root;
            if (root is null)
            {
                return (null, null, null);
            }

            // Route53: ErrorResponse/Error/Code. S3-style services put Error at the root; accept both shapes.
            var error = root.Name.LocalName == "Error" ? root : root.Elements().FirstOrDefault(e => e.Name.LocalName == "Error");
            var code = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value;
            var message = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value;
            var requestId = root.Descendants().FirstOrDefault(e => e.Name.LocalName == "RequestId")?.Value;
            return (code, message, requestId);
        }
        catch (XmlException)
        {
            // Not XML after all (an HTML error page from a proxy, a truncated body): the caller reports the body.
            return (null, null, null);
        }
    }

    private static (string? Code, string? Message) ParseJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            string? code = null, message = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    continue;
                }

                if (property.NameEquals("__type") || property.NameEquals("code"))
                {
                    code ??= property.Value.GetString();
                }
                else if (property.Name.Equals("message", StringComparison.OrdinalIgnoreCase))
                {
                    message ??= property.Value.GetString();
                }
            }

            return (code, message);
        }
        catch (JsonException)
        {
            // Not JSON after all: the caller reports the body.
            return (null, null);
        }
    }
}
