using System.Text.Json.Serialization;

namespace CertDaemon.Aws.Acm;

/// <summary>
/// Source-generated metadata for ACM's JSON 1.1 bodies. Nulls are not written: an absent optional member and an
/// explicit null are not the same to every AWS service, and a re-import must carry no <c>Tags</c> member at all.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AcmWire.ImportCertificateRequest))]
[JsonSerializable(typeof(AcmWire.ImportCertificateResponse))]
[JsonSerializable(typeof(AcmWire.CertificateArnRequest))]
[JsonSerializable(typeof(AcmWire.DescribeCertificateResponse))]
[JsonSerializable(typeof(AcmWire.ListCertificatesRequest))]
[JsonSerializable(typeof(AcmWire.ListCertificatesResponse))]
[JsonSerializable(typeof(AcmWire.ListTagsResponse))]
[JsonSerializable(typeof(AcmWire.AddTagsRequest))]
[JsonSerializable(typeof(AcmWire.RequestCertificateRequest))]
[JsonSerializable(typeof(AcmWire.ExportCertificateRequest))]
[JsonSerializable(typeof(AcmWire.ExportCertificateResponse))]
internal sealed partial class AcmJsonContext : JsonSerializerContext;
