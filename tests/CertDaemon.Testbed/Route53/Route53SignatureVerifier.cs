using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace CertDaemon.Testbed.Route53;

/// <summary>
/// Server side of AWS Signature Version 4 (header form, <c>AWS4-HMAC-SHA256</c>): recomputes the canonical request
/// from what actually arrived (raw path, raw query, the signed headers, the body's SHA-256) and compares signatures.
/// Hand-written on purpose: it is the independent check of the signer CertDaemon uses.
/// </summary>
/// <remarks>
/// Canonical URI as for every service except S3: each path segment URI-encoded once more (double encoding).
/// The payload hash is always that of the received body, so a body changed after signing fails.
/// </remarks>
internal sealed class Route53SignatureVerifier(IReadOnlyList<Route53Credential> credentials, TimeSpan maxClockSkew)
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string Region = "us-east-1";
    public const string Service = "route53";

    private readonly Dictionary<string, Route53Credential> _credentials = credentials.ToDictionary(c => c.AccessKeyId, StringComparer.Ordinal);

    /// <summary>Null when the request is correctly signed; otherwise the error to answer and, for a mismatch, the canonical request we computed.</summary>
    public Route53Reply? Verify(HttpRequest request, string rawPath, string rawQuery, byte[] body, DateTimeOffset systemNow, out string? diagnostics)
    {
        diagnostics = null;
        var authorization = request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(authorization))
        {
            return Route53Reply.Error(403, "MissingAuthenticationToken", "Missing Authentication Token");
        }

        if (!authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            return Route53Reply.Error(403, "IncompleteSignature", $"Unsupported authorization type, expected {Algorithm}");
        }

        string? credential = null, signedHeaders = null, signature = null;
        foreach (var part in authorization[(Algorithm.Length + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var value = part[(eq + 1)..];
            switch (part[..eq])
            {
                case "Credential": credential = value; break;
                case "SignedHeaders": signedHeaders = value; break;
                case "Signature": signature = value; break;
                default: break;
            }
        }

        if (credential is null || signedHeaders is null || signature is null)
        {
            return Route53Reply.Error(403, "IncompleteSignature", "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.");
        }

        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request")
        {
            return Route53Reply.Error(403, "IncompleteSignature", $"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'");
        }

        if (!_credentials.TryGetValue(scope[0], out var key))
        {
            return Route53Reply.Error(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
        }

        if (key.SessionToken is not null && request.Headers["x-amz-security-token"].ToString() != key.SessionToken)
        {
            return Route53Reply.Error(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
        }

        if (scope[2] != Region)
        {
            return Route53Reply.Error(403, "SignatureDoesNotMatch", $"Credential should be scoped to a valid region, not '{scope[2]}'. ");
        }

        if (scope[3] != Service)
        {
            return Route53Reply.Error(403, "SignatureDoesNotMatch", $"Credential should be scoped to correct service: '{Service}'. ");
        }

        var signedHeaderNames = signedHeaders.Split(';');
        if (!signedHeaderNames.Contains("host"))
        {
            return Route53Reply.Error(403, "IncompleteSignature", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        }

        var amzDate = request.Headers["x-amz-date"].ToString();
        if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            return Route53Reply.Error(403, "IncompleteSignature", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        }

        if (scope[1] != amzDate[..8])
        {
            return Route53Reply.Error(403, "SignatureDoesNotMatch", $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope[1]}' != '{amzDate[..8]}'");
        }

        if ((systemNow - signedAt).Duration() > maxClockSkew)
        {
            return Route53Reply.Error(403, "SignatureDoesNotMatch", $"Signature expired: {amzDate} is now earlier than {systemNow.Subtract(maxClockSkew):yyyyMMdd'T'HHmmss'Z'} ({systemNow:yyyyMMdd'T'HHmmss'Z'} - {maxClockSkew.TotalMinutes} min.)");
        }

        var canonicalRequest = string.Join('\n',
            request.Method,
            CanonicalUri(rawPath),
            CanonicalQuery(rawQuery),
            CanonicalHeaders(request, signedHeaderNames),
            signedHeaders,
            Hex(SHA256.HashData(body)));
        var stringToSign = string.Join('\n', Algorithm, amzDate, string.Join('/', scope[1..]), Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));
        var signingKey = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + key.SecretAccessKey), scope[1]), scope[2]), scope[3]), "aws4_request");
        var expected = Hex(Hmac(signingKey, stringToSign));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature.ToLowerInvariant())))
        {
            diagnostics = $"canonical request:\n{canonicalRequest}\n\nstring to sign:\n{stringToSign}";
            return Route53Reply.Error(403, "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
        }

        return null;
    }

    private static string CanonicalUri(string rawPath)
    {
        if (rawPath.Length == 0)
        {
            return "/";
        }

        return string.Join('/', rawPath.Split('/').Select(segment => UriEncode(segment)));
    }

    private static string CanonicalQuery(string rawQuery)
    {
        if (rawQuery.Length == 0)
        {
            return "";
        }

        var pairs = rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p =>
            {
                var eq = p.IndexOf('=', StringComparison.Ordinal);
                var name = eq < 0 ? p : p[..eq];
                var value = eq < 0 ? "" : p[(eq + 1)..];
                return (Name: UriEncode(Uri.UnescapeDataString(name)), Value: UriEncode(Uri.UnescapeDataString(value)));
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    private static string CanonicalHeaders(HttpRequest request, string[] names)
    {
        var builder = new StringBuilder();
        foreach (var name in names)
        {
            var values = request.Headers[name].Select(v => CollapseSpaces((v ?? "").Trim()));
            builder.Append(name).Append(':').Append(string.Join(',', values)).Append('\n');
        }

        return builder.ToString();
    }

    private static string CollapseSpaces(string value)
    {
        var builder = new StringBuilder(value.Length);
        var previousSpace = false;
        foreach (var c in value)
        {
            var space = c == ' ';
            if (!(space && previousSpace))
            {
                builder.Append(c);
            }

            previousSpace = space;
        }

        return builder.ToString();
    }

    // RFC 3986 unreserved characters stay; everything else is %XX in upper-case hex over UTF-8 bytes.
    private static string UriEncode(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
