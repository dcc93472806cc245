using System.Text.Json.Serialization;

namespace CertDaemon.Acme;

/// <summary>
/// Source-generated System.Text.Json metadata for every ACME payload. Nulls are not written: RFC 8555 optional
/// fields are absent rather than null, and some CAs refuse explicit nulls. Source-generated deserialization assigns
/// every init-only property, absent ones as null, so collection properties coalesce null in their init accessor.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AcmeDirectory))]
[JsonSerializable(typeof(AcmeAccount))]
[JsonSerializable(typeof(AcmeOrder))]
[JsonSerializable(typeof(AcmeAuthorization))]
[JsonSerializable(typeof(AcmeChallenge))]
[JsonSerializable(typeof(AcmeProblem))]
[JsonSerializable(typeof(JwsMessage))]
[JsonSerializable(typeof(JwsProtectedHeader))]
[JsonSerializable(typeof(JsonWebKey))]
[JsonSerializable(typeof(NewAccountRequest))]
[JsonSerializable(typeof(AccountUpdateRequest))]
[JsonSerializable(typeof(KeyChangeRequest))]
[JsonSerializable(typeof(NewOrderRequest))]
[JsonSerializable(typeof(FinalizeRequest))]
[JsonSerializable(typeof(RevocationRequest))]
[JsonSerializable(typeof(RenewalInfoResponse))]
internal sealed partial class AcmeJsonContext : JsonSerializerContext;
