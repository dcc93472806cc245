using System.Text.Json.Serialization;

namespace CertDaemon.Dns;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(ChallengeJournalDocument))]
internal sealed partial class DnsJsonContext : JsonSerializerContext;
