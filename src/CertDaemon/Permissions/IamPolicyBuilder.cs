using System.Text;
using System.Text.Json;
using CertDaemon.Configuration;

namespace CertDaemon.Permissions;

/// <summary>
/// Builds the least-privilege IAM policy for a configuration (<c>certdaemon iam-policy</c>). Pure: the same options
/// always give the same bytes (statements in a fixed order, zones, regions and roles sorted ordinally).
/// </summary>
/// <remarks>
/// <para>
/// Route53: <c>ChangeResourceRecordSets</c> is limited with Route53's record-set condition keys (Route53 Developer
/// Guide, "Using IAM policy conditions for fine-grained access control") to TXT records whose normalized name starts
/// with <c>_acme-challenge.</c> and to the CREATE/UPSERT/DELETE actions our challenge solver sends. Every key is
/// checked with <c>ForAllValues</c>, so a batch that touches any other record is refused as a whole. Normalized
/// names are lower case without the trailing dot, which is what the <c>StringLike</c> pattern expects.
/// </para>
/// <para>
/// When some certificate has no hosted zone id (neither its own nor the top-level one), the zone is discovered at
/// run time, so the zone resource is <c>hostedzone/*</c> and the statement ids say "DiscoveredZones". That wildcard
/// also covers challenge names delegated by CNAME into other zones; with explicit zone ids a delegated target's zone
/// must be one of the configured ones (the configuration has no separate list of delegation zones).
/// </para>
/// <para>
/// ACM: <c>ImportCertificate</c>, <c>AddTagsToCertificate</c> (ImportCertificate with tags also authorizes it),
/// <c>DescribeCertificate</c> and <c>ListTagsForCertificate</c> are scoped to <c>arn:PARTITION:acm:REGION:*:certificate/*</c>
/// for the configured regions; <c>ListCertificates</c> has no resource-level permissions, so it gets <c>*</c>.
/// No <c>aws:RequestTag</c> condition is set on ImportCertificate: a re-import (same ARN, which keeps listeners
/// attached) must not carry tags, so a tag-on-create condition would refuse every renewal.
/// </para>
/// <para>
/// Roles: <c>sts:AssumeRole</c> on each configured <c>RoleArn</c>. The Route53 statements are then needed by the
/// assumed role, not by the instance profile; <see cref="IamPolicy.Notes"/> says so.
/// </para>
/// </remarks>
internal static class IamPolicyBuilder
{
    /// <summary>The IAM policy language version.</summary>
    public const string PolicyVersion = "2012-10-17";

    /// <summary>The record-name pattern challenge records match (normalized: lower case, no trailing dot).</summary>
    public const string ChallengeRecordNamePattern = "_acme-challenge.*";

    /// <summary>The ChangeResourceRecordSets actions the challenge solver uses.</summary>
    public static readonly IReadOnlyList<string> ChallengeChangeActions = ["CREATE", "DELETE", "UPSERT"];

    private const string HostedZonePrefix = "/hostedzone/";

    public static IamPolicy Build(CertDaemonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        var zones = CollectZones(options, out var discovery);
        var roles = CollectRoles(options);
        var regions = options.Certificates
            .Where(c => c.Issuer != CertificateIssuers.AcmExport)
            .SelectMany(c => c.Acm?.Regions ?? [])
            .Select(r => r.Trim().ToLowerInvariant())
            .Where(r => r.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

        var zoneResources = discovery
            ? ["arn:aws:route53:::hostedzone/*"]
            : zones.Select(z => "arn:aws:route53:::hostedzone/" + z).ToList();
        var zoneSuffix = discovery ? "InDiscoveredZones" : "InConfiguredZones";

        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("Version", PolicyVersion);
            json.WriteStartArray("Statement");

            WriteStatement(json, "ChangeChallengeRecords" + zoneSuffix, ["route53:ChangeResourceRecordSets"], zoneResources, WriteChallengeCondition);
            WriteStatement(json, "ReadChallengeZones" + (discovery ? "Discovered" : "Configured"), ["route53:GetHostedZone", "route53:ListResourceRecordSets"], zoneResources);
            WriteStatement(json, "WaitForChallengeChanges", ["route53:GetChange"], ["arn:aws:route53:::change/*"]);
            // ListHostedZonesByName has no resource-level permissions.
            WriteStatement(json, "FindHostedZones", ["route53:ListHostedZonesByName"], ["*"]);

            if (regions.Count > 0)
            {
                WriteStatement(
                    json,
                    "ImportCertificatesIntoAcm",
                    ["acm:AddTagsToCertificate", "acm:DescribeCertificate", "acm:ImportCertificate", "acm:ListTagsForCertificate"],
                    regions.Select(r => $"arn:{PartitionOf(r)}:acm:{r}:*:certificate/*").ToList());
                // ListCertificates has no resource-level permissions.
                WriteStatement(json, "ListAcmCertificates", ["acm:ListCertificates"], ["*"]);
            }

            AcmExportStatements.Write(json, options, zoneResources, zoneSuffix, WriteStatement, WriteStrings);

            if (roles.Count > 0)
            {
                WriteStatement(json, "AssumeRoute53Roles", ["sts:AssumeRole"], roles);
            }

            if (options.Fleet is { } fleet)
            {
                WriteFleetStatements(json, fleet);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return new IamPolicy(Encoding.UTF8.GetString(buffer.ToArray()) + "\n", BuildNotes(options, discovery, roles, regions.Count > 0));
    }

    /// <summary>Configured zone ids (global and per certificate), without the <c>/hostedzone/</c> prefix, sorted.</summary>
    /// <param name="discovery">Whether some certificate (or ad-hoc issuance, when there are none) finds its zone at run time.</param>
    private static List<string> CollectZones(CertDaemonOptions options, out bool discovery)
    {
        var global = NormalizeZoneId(options.Route53.HostedZoneId);
        var zones = new SortedSet<string>(StringComparer.Ordinal);
        if (global is not null)
        {
            zones.Add(global);
        }

        discovery = global is null && options.Certificates.Count == 0;
        foreach (var certificate in options.Certificates)
        {
            var zone = NormalizeZoneId(certificate.Route53?.HostedZoneId) ?? global;
            if (zone is null)
            {
                discovery = true;
            }
            else
            {
                zones.Add(zone);
            }
        }

        return [.. zones];
    }

    private static List<string> CollectRoles(CertDaemonOptions options)
    {
        var roles = new SortedSet<string>(StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(options.Route53.RoleArn))
        {
            roles.Add(options.Route53.RoleArn.Trim());
        }

        foreach (var certificate in options.Certificates)
        {
            if (!string.IsNullOrWhiteSpace(certificate.Route53?.RoleArn))
            {
                roles.Add(certificate.Route53.RoleArn.Trim());
            }
        }

        return [.. roles];
    }

    private static string? NormalizeZoneId(string? zoneId)
    {
        if (string.IsNullOrWhiteSpace(zoneId))
        {
            return null;
        }

        var trimmed = zoneId.Trim();
        return trimmed.StartsWith(HostedZonePrefix, StringComparison.OrdinalIgnoreCase) ? trimmed[HostedZonePrefix.Length..] : trimmed;
    }

    /// <summary>The ARN partition of a region: China and GovCloud regions live outside <c>aws</c>.</summary>
    private static string PartitionOf(string region) =>
        region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn"
        : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov"
        : "aws";

    /// <summary>
    /// Fleet mode: read and write objects under the bucket's prefix only; delete only old versions' files; list only that prefix (without
    /// <c>s3:ListBucket</c> S3 answers a missing object with 403 instead of 404); the KMS key's data-key operations
    /// when private keys are encrypted with it. An alias is matched with <c>kms:ResourceAliases</c>.
    /// </summary>
    private static void WriteFleetStatements(Utf8JsonWriter json, FleetOptions fleet)
    {
        var partition = fleet.Region is { } r ? PartitionOf(r) : "aws";
        var bucket = $"arn:{partition}:s3:::{fleet.Bucket}";
        WriteStatement(json, "FleetObjects", ["s3:GetObject", "s3:PutObject"], [$"{bucket}/{fleet.Prefix}*"]);
        // Only version files (certificates/NAME/VERSION-SERIAL/ROLE.pem): never a manifest, a lease or an account key.
        WriteStatement(json, "FleetDeleteOldVersions", ["s3:DeleteObject"], [$"{bucket}/{fleet.Prefix}certificates/*/*-*/*.pem"]);
        WriteStatement(json, "FleetListPrefix", ["s3:ListBucket"], [bucket], j =>
        {
            j.WriteStartObject("Condition");
            j.WriteStartObject("StringLike");
            WriteStrings(j, "s3:prefix", [fleet.Prefix + "*"]);
            j.WriteEndObject();
            j.WriteEndObject();
        });
        if (fleet.KmsKeyId is not { Length: > 0 } kms)
        {
            return;
        }

        string[] kmsActions = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"];
        var region = fleet.Region ?? "*";
        if (kms.StartsWith("alias/", StringComparison.Ordinal))
        {
            WriteStatement(json, "FleetKmsKey", kmsActions, [$"arn:{partition}:kms:{region}:*:key/*"], j =>
            {
                j.WriteStartObject("Condition");
                j.WriteStartObject("ForAnyValue:StringEquals");
                WriteStrings(j, "kms:ResourceAliases", [kms]);
                j.WriteEndObject();
                j.WriteEndObject();
            });
        }
        else
        {
            WriteStatement(json, "FleetKmsKey", kmsActions, [kms.StartsWith("arn:", StringComparison.Ordinal) ? kms : $"arn:{partition}:kms:{region}:*:key/{kms}"]);
        }
    }

    private static void WriteChallengeCondition(Utf8JsonWriter json)
    {
        json.WriteStartObject("Condition");
        json.WriteStartObject("ForAllValues:StringEquals");
        WriteStrings(json, "route53:ChangeResourceRecordSetsActions", ChallengeChangeActions);
        WriteStrings(json, "route53:ChangeResourceRecordSetsRecordTypes", ["TXT"]);
        json.WriteEndObject();
        json.WriteStartObject("ForAllValues:StringLike");
        WriteStrings(json, "route53:ChangeResourceRecordSetsNormalizedRecordNames", [ChallengeRecordNamePattern]);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteStatement(Utf8JsonWriter json, string sid, IReadOnlyList<string> actions, IReadOnlyList<string> resources, Action<Utf8JsonWriter>? condition = null)
    {
        json.WriteStartObject();
        json.WriteString("Sid", sid);
        json.WriteString("Effect", "Allow");
        WriteStrings(json, "Action", actions);
        WriteStrings(json, "Resource", resources);
        condition?.Invoke(json);
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static List<string> BuildNotes(CertDaemonOptions options, bool discovery, List<string> roles, bool acm)
    {
        var notes = new List<string>();
        if (discovery)
        {
            notes.Add("Some certificates have no Route53.HostedZoneId, so zones are discovered at run time and the Route53 statements "
                + "name hostedzone/* (still only _acme-challenge TXT records). Set HostedZoneId to narrow them to single zones.");
        }
        else
        {
            notes.Add("Challenge names delegated by CNAME (_acme-challenge.NAME -> another zone) are written in the target's zone: "
                + "that zone must be one of the configured HostedZoneIds, or remove the ids to use discovered zones.");
            if (options.Route53.HostedZoneId is null)
            {
                notes.Add("Ad-hoc certificates (certdaemon issue -d ...) use the top-level Route53 section, which names no zone: "
                    + "they need Route53.HostedZoneId or the discovered-zones policy.");
            }
        }

        if (roles.Count > 0)
        {
            var everyCertificateHasRole = options.Route53.RoleArn is not null
                || (options.Certificates.Count > 0 && options.Certificates.All(c => c.Route53?.RoleArn is not null));
            notes.Add("Route53 calls run as the assumed role(s): attach the Route53 statements to "
                + string.Join(", ", roles)
                + (everyCertificateHasRole ? "" : " and, for the certificates without a RoleArn, to the instance profile")
                + "; the instance profile needs sts:AssumeRole" + (acm ? " and the ACM statements." : ".")
                + " Each role's trust policy must allow the instance role" + (options.Route53.ExternalId is null ? "." : " with the configured ExternalId."));
        }

        return notes;
    }
}
