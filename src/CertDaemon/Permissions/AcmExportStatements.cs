using System.Text.Json;
using CertDaemon.Configuration;

namespace CertDaemon.Permissions;

/// <summary>
/// The IAM statements <c>acm-export</c> certificates need, exactly: request, describe, export and (re)tag in their
/// region; list to find a request again by its tag; RenewCertificate only where <c>Acm.RenewWhenIneligible</c> is set;
/// and UPSERT of ACM's validation CNAMEs (named <c>_HASH.NAME</c>) under the configured names.
/// </summary>
internal static class AcmExportStatements
{
    public static void Write(
        Utf8JsonWriter json, CertDaemonOptions options, IReadOnlyList<string> zoneResources, string zoneSuffix,
        Action<Utf8JsonWriter, string, IReadOnlyList<string>, IReadOnlyList<string>, Action<Utf8JsonWriter>?> statement,
        Action<Utf8JsonWriter, string, IReadOnlyList<string>> strings)
    {
        var exported = options.Certificates.Where(c => c.Issuer == CertificateIssuers.AcmExport && c.Acm is { Regions.Count: > 0 }).ToList();
        if (exported.Count == 0)
        {
            return;
        }

        static string Resource(string region) => $"arn:{Partition(region)}:acm:{region}:*:certificate/*";
        var regions = exported.Select(c => c.Acm!.Regions[0]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        // RequestCertificate has no certificate ARN yet; RequestCertificate with tags also needs AddTagsToCertificate.
        statement(json, "RequestExportableAcmCertificates", ["acm:RequestCertificate"], ["*"], null);
        statement(json, "ExportAcmCertificates",
            ["acm:AddTagsToCertificate", "acm:DescribeCertificate", "acm:ExportCertificate", "acm:ListTagsForCertificate"],
            [.. regions.Select(Resource)], null);
        statement(json, "FindExportableAcmCertificates", ["acm:ListCertificates"], ["*"], null);
        var renewing = exported.Where(c => c.Acm!.RenewWhenIneligible).Select(c => c.Acm!.Regions[0]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (renewing.Count > 0)
        {
            statement(json, "RenewIneligibleAcmCertificates", ["acm:RenewCertificate"], [.. renewing.Select(Resource)], null);
        }

        var names = exported
            .SelectMany(c => c.Domains)
            .Select(d => "_*." + (d.StartsWith("*.", StringComparison.Ordinal) ? d[2..] : d).TrimEnd('.').ToLowerInvariant())
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        statement(json, "WriteAcmValidationRecords" + zoneSuffix, ["route53:ChangeResourceRecordSets"], zoneResources, condition =>
        {
            condition.WriteStartObject("Condition");
            condition.WriteStartObject("ForAllValues:StringEquals");
            strings(condition, "route53:ChangeResourceRecordSetsActions", ["UPSERT"]);
            strings(condition, "route53:ChangeResourceRecordSetsRecordTypes", ["CNAME"]);
            condition.WriteEndObject();
            condition.WriteStartObject("ForAllValues:StringLike");
            strings(condition, "route53:ChangeResourceRecordSetsNormalizedRecordNames", names);
            condition.WriteEndObject();
            condition.WriteEndObject();
        });
    }

    private static string Partition(string region) =>
        region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn"
        : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov"
        : "aws";
}
