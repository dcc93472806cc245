using System.Text.Json.Serialization;

namespace CertDaemon.Storage;

/// <summary>Source-generated JSON for everything Storage/ writes: camelCase, indented for people reading state files.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LineageMarker))]
[JsonSerializable(typeof(SwitchJournal))]
[JsonSerializable(typeof(CertificateState))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
