using System.Text.Json;
using System.Text.Json.Serialization;

namespace CertDaemon.Acme;

/// <summary>Reads ACME status strings tolerantly: unknown values become <see cref="AcmeStatus.Unknown"/>.</summary>
internal sealed class AcmeStatusJsonConverter : JsonConverter<AcmeStatus>
{
    public static AcmeStatus Parse(string? value) => value switch
    {
        "pending" => AcmeStatus.Pending,
        "ready" => AcmeStatus.Ready,
        "processing" => AcmeStatus.Processing,
        "valid" => AcmeStatus.Valid,
        "invalid" => AcmeStatus.Invalid,
        "deactivated" => AcmeStatus.Deactivated,
        "expired" => AcmeStatus.Expired,
        "revoked" => AcmeStatus.Revoked,
        _ => AcmeStatus.Unknown,
    };

    public static string Format(AcmeStatus status) => status switch
    {
        AcmeStatus.Unknown => "unknown",
        _ => status.ToString().ToLowerInvariant(),
    };

    public override AcmeStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String ? Parse(reader.GetString()) : AcmeStatus.Unknown;

    public override void Write(Utf8JsonWriter writer, AcmeStatus value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(Format(value));
    }
}
