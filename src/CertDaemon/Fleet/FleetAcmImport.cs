namespace CertDaemon.Fleet;

/// <summary>The ACM certificate of one region: its ARN, the serial last imported into it, and when.</summary>
internal sealed record FleetAcmImport(string Arn, string Serial, DateTimeOffset ImportedAt);
