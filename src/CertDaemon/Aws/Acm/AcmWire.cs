using System.Text.Json;
using System.Text.Json.Serialization;

namespace CertDaemon.Aws.Acm;

/// <summary>
/// ACM's JSON 1.1 request and answer bodies, as the service spells them (PascalCase, except <c>Includes.keyTypes</c>).
/// Blobs are <c>byte[]</c>, which System.Text.Json writes as base64: the bytes are the PEM text, as ACM expects.
/// Timestamps are epoch seconds (numbers); <see cref="EpochSecondsConverter"/> also reads ISO 8601 strings.
/// </summary>
internal static class AcmWire
{
    internal sealed record Tag(string Key, string? Value);

    internal sealed record ImportCertificateRequest(
        string? CertificateArn,
        byte[] Certificate,
        byte[] PrivateKey,
        byte[]? CertificateChain,
        IReadOnlyList<Tag>? Tags);

    internal sealed record ImportCertificateResponse(string? CertificateArn);

    internal sealed record CertificateArnRequest(string CertificateArn);

    internal sealed record DescribeCertificateResponse(CertificateDetail? Certificate);

    internal sealed record CertificateDetail(
        string? CertificateArn,
        string? DomainName,
        IReadOnlyList<string>? SubjectAlternativeNames,
        string? Serial,
        [property: JsonConverter(typeof(EpochSecondsConverter))] DateTimeOffset? NotAfter,
        IReadOnlyList<string>? InUseBy,
        string? Type,
        string? KeyAlgorithm,
        string? Status,
        [property: JsonConverter(typeof(EpochSecondsConverter))] DateTimeOffset? NotBefore = null,
        IReadOnlyList<DomainValidation>? DomainValidationOptions = null,
        string? RenewalEligibility = null,
        RenewalSummary? RenewalSummary = null,
        CertificateOptions? Options = null,
        string? FailureReason = null);

    internal sealed record DomainValidation(string? DomainName, string? ValidationStatus, string? ValidationMethod, ResourceRecord? ResourceRecord);

    internal sealed record ResourceRecord(string? Name, string? Type, string? Value);

    internal sealed record RenewalSummary(string? RenewalStatus, string? RenewalStatusReason);

    internal sealed record CertificateOptions(string? CertificateTransparencyLoggingPreference, string? Export);

    internal sealed record RequestCertificateRequest(
        string DomainName,
        IReadOnlyList<string>? SubjectAlternativeNames,
        string ValidationMethod,
        string? KeyAlgorithm,
        string? IdempotencyToken,
        CertificateOptions? Options,
        IReadOnlyList<Tag>? Tags);

    internal sealed record ExportCertificateRequest(string CertificateArn, byte[] Passphrase);

    internal sealed record ExportCertificateResponse(string? Certificate, string? CertificateChain, string? PrivateKey);

    internal sealed record ListCertificatesRequest(Filters? Includes, string? NextToken, int? MaxItems);

    internal sealed record Filters([property: JsonPropertyName("keyTypes")] IReadOnlyList<string>? KeyTypes);

    internal sealed record ListCertificatesResponse(IReadOnlyList<CertificateSummary>? CertificateSummaryList, string? NextToken);

    internal sealed record CertificateSummary(string? CertificateArn, string? DomainName, string? Type, string? KeyAlgorithm);

    internal sealed record ListTagsResponse(IReadOnlyList<Tag>? Tags);

    internal sealed record AddTagsRequest(string CertificateArn, IReadOnlyList<Tag> Tags);

    /// <summary>AWS JSON protocols send timestamps as epoch seconds (fractions allowed); accept ISO 8601 strings too.</summary>
    internal sealed class EpochSecondsConverter : JsonConverter<DateTimeOffset?>
    {
        public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType switch
            {
                JsonTokenType.Null => null,
                JsonTokenType.Number => DateTimeOffset.UnixEpoch.AddMilliseconds(Math.Round(reader.GetDouble() * 1000)),
                JsonTokenType.String when DateTimeOffset.TryParse(reader.GetString(), System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed) => parsed,
                _ => throw new JsonException($"expected a timestamp (epoch seconds), found {reader.TokenType}"),
            };

        public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
        {
            ArgumentNullException.ThrowIfNull(writer);
            if (value is { } v)
            {
                writer.WriteNumberValue(v.ToUnixTimeMilliseconds() / 1000.0);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }
}
