using System.Text.Json.Serialization;
using CertDaemon.Renewal;

namespace CertDaemon.Cli;

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(IReadOnlyList<CertificateStatus>))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
