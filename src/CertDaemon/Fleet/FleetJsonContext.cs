using System.Text.Json.Serialization;

namespace CertDaemon.Fleet;

/// <summary>Source-generated JSON for the fleet's objects: camelCase, indented (operators read them with <c>aws s3 cp ... -</c>).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FleetManifest))]
[JsonSerializable(typeof(FleetLease))]
internal sealed partial class FleetJsonContext : JsonSerializerContext;
