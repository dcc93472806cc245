using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace CertDaemon.Sandbox;

/// <summary>
/// A certificate as ACM describes it (DescribeCertificate, JSON 1.1, SigV4 service <c>acm</c>), asked of moto by the
/// sandbox itself - not by CertDaemon - so what the step prints is ACM's view, not our own bookkeeping.
/// </summary>
internal sealed record AcmView(string Arn, string Serial, string DomainName, IReadOnlyList<string> SubjectAlternativeNames, DateTimeOffset? NotAfter, string Type)
{
    public static async Task<AcmView> DescribeAsync(Uri endpoint, string region, AWSCredentials credentials, string arn, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new SigV4SigningHandler(credentials, RegionEndpoint.GetBySystemName(region), "acm", new SocketsHttpHandler()))
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent(JsonSerializer.Serialize(new Dictionary<string, string> { ["CertificateArn"] = arn }), Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", "CertificateManager.DescribeCertificate");
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new SandboxStepException($"ACM DescribeCertificate {arn} answered HTTP {(int)response.StatusCode}", text);
        }

        using var document = JsonDocument.Parse(text);
        var certificate = document.RootElement.GetProperty("Certificate");
        DateTimeOffset? notAfter = certificate.TryGetProperty("NotAfter", out var n) && n.ValueKind == JsonValueKind.Number
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(n.GetDouble() * 1000))
            : null;
        return new AcmView(
            arn,
            String(certificate, "Serial"),
            String(certificate, "DomainName"),
            certificate.TryGetProperty("SubjectAlternativeNames", out var sans) ? [.. sans.EnumerateArray().Select(s => s.GetString() ?? "")] : [],
            notAfter,
            String(certificate, "Type"));
    }

    /// <summary>
    /// Whether ACM's serial is <paramref name="hexSerial"/>: AWS writes colon-separated hex (<c>4c:0e:25:...</c>),
    /// moto a decimal integer; compared as numbers.
    /// </summary>
    public bool SerialIs(string hexSerial) => ParseSerial(Serial) == ParseHex(hexSerial);

    private static BigInteger ParseSerial(string value) =>
        value.Contains(':', StringComparison.Ordinal) || value.Any(char.IsAsciiLetter)
            ? ParseHex(value.Replace(":", "", StringComparison.Ordinal))
            : BigInteger.Parse(value, CultureInfo.InvariantCulture);

    private static BigInteger ParseHex(string hex) => BigInteger.Parse("0" + hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static string String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";
}
