using System.Text.RegularExpressions;

namespace CertDaemon.Configuration;

/// <summary>The <c>Fleet</c> section's rules: pure checks of the values, every problem reported with its JSON path.</summary>
internal static partial class FleetOptionsRules
{
    public static readonly TimeSpan MinLeaseDuration = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MaxLeaseDuration = TimeSpan.FromHours(1);

    public static void Validate(FleetOptions? fleet, Action<string, string> report)
    {
        if (fleet is null)
        {
            return;
        }

        // S3 bucket naming rules (general purpose buckets): 3-63 characters, lower case, digits, dots and hyphens,
        // starting and ending with a letter or digit.
        if (string.IsNullOrWhiteSpace(fleet.Bucket))
        {
            report("$.Fleet.Bucket", "is required: the S3 bucket the fleet's instances share (remove the Fleet section to run on one box)");
        }
        else if (!BucketName().IsMatch(fleet.Bucket) || fleet.Bucket.Contains("..", StringComparison.Ordinal))
        {
            report("$.Fleet.Bucket", $"\"{fleet.Bucket}\" is not an S3 bucket name (3 to 63 characters: a-z, 0-9, '.', '-', starting and ending with a letter or digit)");
        }

        if (fleet.Prefix.Length > 0 && (fleet.Prefix.StartsWith('/') || !fleet.Prefix.EndsWith('/') || fleet.Prefix.Contains("//", StringComparison.Ordinal)))
        {
            report("$.Fleet.Prefix", $"must be empty or a key prefix ending with '/' and not starting with '/' (e.g. \"certdaemon/\"), got \"{fleet.Prefix}\"");
        }

        if (fleet.Prefix.Length > 512)
        {
            report("$.Fleet.Prefix", $"must be at most 512 characters, got {fleet.Prefix.Length}");
        }

        if (fleet.Region is { } region && !RegionName().IsMatch(region))
        {
            report("$.Fleet.Region", $"\"{region}\" is not an AWS region name (e.g. \"us-east-1\")");
        }

        if (fleet.KmsKeyId is { } kms && string.IsNullOrWhiteSpace(kms))
        {
            report("$.Fleet.KmsKeyId", "must name a KMS key (key id, key ARN or alias/NAME) or be removed");
        }

        if (fleet.LeaseDuration < MinLeaseDuration || fleet.LeaseDuration > MaxLeaseDuration)
        {
            report("$.Fleet.LeaseDuration", $"must be at least {DurationFormat.Format(MinLeaseDuration)} and at most {DurationFormat.Format(MaxLeaseDuration)}, got {DurationFormat.Format(fleet.LeaseDuration)}");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex BucketName();

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionName();
}
