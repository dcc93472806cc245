using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace CertDaemon.Acme;

/// <summary>
/// Reads ACME answers: JSON resources, problem documents (RFC 8555 6.7) and Link headers (RFC 8288). A body that is
/// not what the protocol promises is an <see cref="AcmeProtocolException"/> quoting the start of what came instead.
/// </summary>
internal static partial class AcmeResponseParsing
{
    /// <summary>The body as <typeparamref name="T"/>; refuses a non-JSON media type, a null body and malformed JSON.</summary>
    public static T ParseJson<T>(this AcmeHttpResponse response, JsonTypeInfo<T> typeInfo)
    {
        if (!IsJson(response.MediaType))
        {
            throw new AcmeProtocolException(response.RequestUrl, $"expected application/json, got {response.MediaType ?? "no Content-Type"} (HTTP {(int)response.StatusCode}): {Snippet(response.Body)}");
        }

        try
        {
            return JsonSerializer.Deserialize(response.Body, typeInfo)
                ?? throw new AcmeProtocolException(response.RequestUrl, $"the JSON body is null where a {typeof(T).Name} was expected");
        }
        catch (JsonException ex)
        {
            throw new AcmeProtocolException(response.RequestUrl, $"invalid {typeof(T).Name} JSON: {ex.Message}", ex);
        }
    }

    // RFC 8555 6.7: errors are application/problem+json; accept plain JSON with a "type" too.
    public static AcmeProblem? TryParseProblem(this AcmeHttpResponse response)
    {
        if (!IsJson(response.MediaType) || response.Body.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(response.Body);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("type", out _))
            {
                return null;
            }

            return document.RootElement.Deserialize(AcmeJsonContext.Default.AcmeProblem);
        }
        catch (JsonException)
        {
            return null; // not a problem document; the caller reports the raw answer instead
        }
    }

    // RFC 8288 Link headers; RFC 8555 7.4.2 offers alternate chains as rel="alternate". Relative targets resolve against the request URL.
    public static IEnumerable<Uri> ParseLinks(this AcmeHttpResponse response, string relation)
    {
        foreach (var header in response.LinkHeaders)
        {
            foreach (Match match in LinkValue().Matches(header))
            {
                var parameters = match.Groups["params"].Value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var relations = parameters
                    .Select(static p => p.Split('=', 2, StringSplitOptions.TrimEntries))
                    .Where(static p => p.Length == 2 && p[0].Equals("rel", StringComparison.OrdinalIgnoreCase))
                    .SelectMany(static p => p[1].Trim('"').Split(' ', StringSplitOptions.RemoveEmptyEntries));
                if (relations.Contains(relation, StringComparer.OrdinalIgnoreCase)
                    && Uri.TryCreate(response.RequestUrl, match.Groups["url"].Value, out var target))
                {
                    yield return target;
                }
            }
        }
    }

    /// <summary>The first 200 bytes of a body, quoted, for error messages.</summary>
    public static string Snippet(byte[] body)
    {
        if (body.Length == 0)
        {
            return "(empty body)";
        }

        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200)).ReplaceLineEndings(" ");
        return body.Length > 200 ? $"\"{text}...\"" : $"\"{text}\"";
    }

    private static bool IsJson(string? mediaType) =>
        mediaType is not null && (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    [GeneratedRegex("""<(?<url>[^>]*)>(?<params>(?:\s*;\s*[^;,]+)*)""")]
    private static partial Regex LinkValue();
}
