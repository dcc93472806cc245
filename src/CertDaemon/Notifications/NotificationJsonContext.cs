using System.Text.Json.Serialization;

namespace CertDaemon.Notifications;

/// <summary>Source-generated JSON for the webhook body (trim/AOT-safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Notification))]
internal sealed partial class NotificationJsonContext : JsonSerializerContext;
