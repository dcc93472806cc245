using System.Text.RegularExpressions;
using CertDaemon.Kernel;

namespace CertDaemon.Configuration;

/// <summary>The pure rules of a certificate's <c>Acm</c> section: regions, tags (ACM's limits) and CloudFront's constraints.</summary>
internal static partial class AcmOptionsRules
{
    public static void Validate(AcmOptions acm, KeyType keyType, string path, Action<string, string> report)
    {
        if (acm.Regions.Count == 0)
        {
            report(path + ".Regions", "at least one region is required (remove the Acm section to skip ACM)");
        }

        var regions = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < acm.Regions.Count; i++)
        {
            var region = acm.Regions[i];
            if (!RegionName().IsMatch(region))
            {
                report($"{path}.Regions[{i}]", $"\"{region}\" is not an AWS region name (like us-east-1, eu-west-3, us-gov-west-1)");
            }
            else if (!regions.Add(region))
            {
                report($"{path}.Regions[{i}]", $"\"{region}\" is listed twice");
            }
        }

        Tags(acm.Tags, path + ".Tags", report);

        if (acm.CloudFront)
        {
            if (!regions.Contains("us-east-1"))
            {
                report(path + ".CloudFront", "CloudFront uses ACM certificates from us-east-1 only: add \"us-east-1\" to Regions");
            }

            // CloudFront accepts RSA up to 4096 bits and ECDSA P-256 only (AWS ACM "Prerequisites for importing").
            if (keyType == KeyType.Ec384)
            {
                report(path + ".CloudFront", "CloudFront does not accept ec384 keys: use ec256 or an RSA key type");
            }
        }
    }

    private static void Tags(IReadOnlyDictionary<string, string> tags, string path, Action<string, string> report)
    {
        if (tags.Count > 50)
        {
            report(path, $"{tags.Count} tags; ACM allows at most 50");
        }

        foreach (var (key, value) in tags)
        {
            var tagPath = ConfigurationNode.ChildPath(path, key);
            if (key.Length is < 1 or > 128 || !TagText().IsMatch(key))
            {
                report(tagPath, "tag keys are 1-128 letters, digits, spaces and _ . : / = + - @");
            }
            else if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                report(tagPath, "tag keys starting with \"aws:\" are reserved by AWS");
            }

            if (value.Length > 256 || !TagText().IsMatch(value))
            {
                report(tagPath, "tag values are at most 256 letters, digits, spaces and _ . : / = + - @");
            }
        }
    }

    [GeneratedRegex(@"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionName();

    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$", RegexOptions.CultureInvariant)]
    private static partial Regex TagText();
}
