using CertDaemon.Permissions;
using System.Text.Json;
using CertDaemon.Configuration;

namespace CertDaemon.Tests.Fleet;

public sealed class FleetConfigurationTests
{
    [Fact]
    public void Iam_policy_adds_s3_statements_for_that_bucket_and_prefix_only_and_kms_for_that_key()
    {
        var options = new CertDaemonOptions
        {
            Route53 = new Route53Options { HostedZoneId = "Z1" },
            Fleet = new FleetOptions { Bucket = "certs-bucket", Prefix = "prod/", Region = "eu-west-1", KmsKeyId = "alias/certdaemon" },
        };
        using var policy = JsonDocument.Parse(IamPolicyBuilder.Build(options).Json);
        var statements = policy.RootElement.GetProperty("Statement").EnumerateArray().ToDictionary(s => s.GetProperty("Sid").GetString()!);

        var objects = statements["FleetObjects"];
        Assert.Equal(["s3:GetObject", "s3:PutObject"], objects.GetProperty("Action").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(["arn:aws:s3:::certs-bucket/prod/*"], objects.GetProperty("Resource").EnumerateArray().Select(a => a.GetString()));
        var delete = statements["FleetDeleteOldVersions"];
        Assert.Equal(["s3:DeleteObject"], delete.GetProperty("Action").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(["arn:aws:s3:::certs-bucket/prod/certificates/*/*-*/*.pem"], delete.GetProperty("Resource").EnumerateArray().Select(a => a.GetString()));
        var list = statements["FleetListPrefix"];
        Assert.Equal(["arn:aws:s3:::certs-bucket"], list.GetProperty("Resource").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("prod/*", list.GetProperty("Condition").GetProperty("StringLike").GetProperty("s3:prefix")[0].GetString());
        var kms = statements["FleetKmsKey"];
        Assert.Equal(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], kms.GetProperty("Action").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("alias/certdaemon", kms.GetProperty("Condition").GetProperty("ForAnyValue:StringEquals").GetProperty("kms:ResourceAliases")[0].GetString());

        // Without fleet mode (or without a key) those statements are absent.
        using var single = JsonDocument.Parse(IamPolicyBuilder.Build(options with { Fleet = null }).Json);
        Assert.DoesNotContain(single.RootElement.GetProperty("Statement").EnumerateArray(), s => s.GetProperty("Sid").GetString()!.StartsWith("Fleet", StringComparison.Ordinal));
        using var noKms = JsonDocument.Parse(IamPolicyBuilder.Build(options with { Fleet = options.Fleet with { KmsKeyId = null } }).Json);
        Assert.DoesNotContain(noKms.RootElement.GetProperty("Statement").EnumerateArray(), s => s.GetProperty("Sid").GetString() == "FleetKmsKey");
    }

    [Fact]
    public void Bad_fleet_settings_are_each_reported_with_their_path()
    {
        var problems = new List<(string Path, string Message)>();
        FleetOptionsRules.Validate(
            new FleetOptions { Bucket = "Bad_Bucket", Prefix = "/x", Region = "mars", KmsKeyId = " ", LeaseDuration = TimeSpan.FromSeconds(1) },
            (path, message) => problems.Add((path, message)));
        Assert.Equal(["$.Fleet.Bucket", "$.Fleet.Prefix", "$.Fleet.Region", "$.Fleet.KmsKeyId", "$.Fleet.LeaseDuration"], problems.Select(p => p.Path));

        problems.Clear();
        FleetOptionsRules.Validate(new FleetOptions { Bucket = "my-certificates" }, (path, message) => problems.Add((path, message)));
        Assert.Empty(problems);
        FleetOptionsRules.Validate(null, (path, message) => problems.Add((path, message)));
        Assert.Empty(problems);
    }
}
