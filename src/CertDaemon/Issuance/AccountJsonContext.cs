using System.Text.Json.Serialization;

namespace CertDaemon.Issuance;

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SavedAccount))]
internal sealed partial class AccountJsonContext : JsonSerializerContext;
