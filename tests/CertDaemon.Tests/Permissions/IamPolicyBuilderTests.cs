using CertDaemon.Permissions;
using System.Text.Json;
using CertDaemon.Configuration;

namespace CertDaemon.Tests.Permissions;

public sealed class IamPolicyBuilderTests
{
    private static readonly CertificateOptions Plain = new() { Name = "plain", Domains = ["example.com"] };

    [Fact]
    public void Policy_is_json_with_the_2012_version_and_only_allow_statements()
    {
        using var policy = Parse(new CertDaemonOptions { Certificates = [Plain] });

        Assert.Equal("2012-10-17", policy.RootElement.GetProperty("Version").GetString());
        var statements = policy.RootElement.GetProperty("Statement").EnumerateArray().ToList();
        Assert.NotEmpty(statements);
        Assert.All(statements, s => Assert.Equal("Allow", s.GetProperty("Effect").GetString()));
        Assert.Equal(statements.Count, statements.Select(s => s.GetProperty("Sid").GetString()).Distinct().Count());
    }

    [Fact]
    public void Configured_zones_are_exactly_the_change_resources()
    {
        var options = new CertDaemonOptions
        {
            Route53 = new Route53Options { HostedZoneId = "/hostedzone/ZGLOBAL1" },
            Certificates =
            [
                Plain,
                new CertificateOptions { Name = "b", Domains = ["b.example.net"], Route53 = new() { HostedZoneId = "ZCERT2" } },
                new CertificateOptions { Name = "c", Domains = ["c.example.net"], Route53 = new() { HostedZoneId = "ZCERT2" } },
            ],
        };
        using var policy = Parse(options);

        var change = Statement(policy, "route53:ChangeResourceRecordSets");
        Assert.Equal("ChangeChallengeRecordsInConfiguredZones", change.GetProperty("Sid").GetString());
        Assert.Equal(["arn:aws:route53:::hostedzone/ZCERT2", "arn:aws:route53:::hostedzone/ZGLOBAL1"], Strings(change, "Resource"));
        Assert.Equal(Strings(change, "Resource"), Strings(Statement(policy, "route53:GetHostedZone"), "Resource"));
        Assert.Contains("route53:ListResourceRecordSets", Strings(Statement(policy, "route53:GetHostedZone"), "Action"));
        Assert.DoesNotContain("hostedzone/*", policy.RootElement.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_without_a_zone_uses_discovered_zones()
    {
        var options = new CertDaemonOptions
        {
            Certificates = [Plain, new CertificateOptions { Name = "b", Domains = ["b.example.net"], Route53 = new() { HostedZoneId = "ZCERT2" } }],
        };
        var built = IamPolicyBuilder.Build(options);
        using var policy = JsonDocument.Parse(built.Json);

        var change = Statement(policy, "route53:ChangeResourceRecordSets");
        Assert.Equal("ChangeChallengeRecordsInDiscoveredZones", change.GetProperty("Sid").GetString());
        Assert.Equal(["arn:aws:route53:::hostedzone/*"], Strings(change, "Resource"));
        Assert.Contains(built.Notes, n => n.Contains("discovered", StringComparison.Ordinal));
    }

    [Fact]
    public void Changes_are_limited_to_acme_challenge_TXT_records_and_our_actions()
    {
        using var policy = Parse(new CertDaemonOptions { Certificates = [Plain] });

        var condition = Statement(policy, "route53:ChangeResourceRecordSets").GetProperty("Condition");
        var equals = condition.GetProperty("ForAllValues:StringEquals");
        Assert.Equal(["TXT"], Strings(equals, "route53:ChangeResourceRecordSetsRecordTypes"));
        Assert.Equal(["CREATE", "DELETE", "UPSERT"], Strings(equals, "route53:ChangeResourceRecordSetsActions"));
        Assert.Equal(["_acme-challenge.*"], Strings(condition.GetProperty("ForAllValues:StringLike"), "route53:ChangeResourceRecordSetsNormalizedRecordNames"));
    }

    [Fact]
    public void GetChange_and_zone_lookup_have_the_resources_they_support()
    {
        using var policy = Parse(new CertDaemonOptions { Certificates = [Plain] });

        Assert.Equal(["arn:aws:route53:::change/*"], Strings(Statement(policy, "route53:GetChange"), "Resource"));
        Assert.Equal(["*"], Strings(Statement(policy, "route53:ListHostedZonesByName"), "Resource"));
    }

    [Fact]
    public void No_acm_statements_when_no_certificate_uses_acm()
    {
        var json = IamPolicyBuilder.Build(new CertDaemonOptions { Certificates = [Plain] }).Json;

        Assert.DoesNotContain("acm:", json, StringComparison.Ordinal);
        Assert.DoesNotContain("sts:", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Acm_actions_are_scoped_to_the_configured_regions()
    {
        var options = new CertDaemonOptions
        {
            Certificates =
            [
                Plain with { Acm = new AcmOptions { Regions = ["us-east-1", "eu-west-1"] } },
                new CertificateOptions { Name = "b", Domains = ["b.example.net"], Acm = new AcmOptions { Regions = ["eu-west-1", "cn-north-1"] } },
            ],
        };
        using var policy = Parse(options);

        var import = Statement(policy, "acm:ImportCertificate");
        Assert.Equal(
            ["acm:AddTagsToCertificate", "acm:DescribeCertificate", "acm:ImportCertificate", "acm:ListTagsForCertificate"],
            Strings(import, "Action"));
        Assert.Equal(
            ["arn:aws-cn:acm:cn-north-1:*:certificate/*", "arn:aws:acm:eu-west-1:*:certificate/*", "arn:aws:acm:us-east-1:*:certificate/*"],
            Strings(import, "Resource"));
        var list = Statement(policy, "acm:ListCertificates");
        Assert.Equal(["acm:ListCertificates"], Strings(list, "Action"));
        Assert.Equal(["*"], Strings(list, "Resource"));
    }

    [Fact]
    public void AssumeRole_names_every_configured_role_and_only_then_appears()
    {
        const string global = "arn:aws:iam::123456789012:role/dns-global";
        const string perCertificate = "arn:aws:iam::210987654321:role/dns-b";
        var options = new CertDaemonOptions
        {
            Route53 = new Route53Options { RoleArn = global },
            Certificates = [Plain, new CertificateOptions { Name = "b", Domains = ["b.example.net"], Route53 = new() { RoleArn = perCertificate } }],
        };
        var built = IamPolicyBuilder.Build(options);
        using var policy = JsonDocument.Parse(built.Json);

        var assume = Statement(policy, "sts:AssumeRole");
        Assert.Equal([global, perCertificate], Strings(assume, "Resource")); // sorted ordinally
        Assert.Contains(built.Notes, n => n.Contains(global, StringComparison.Ordinal));

        using var withoutRoles = Parse(new CertDaemonOptions { Certificates = [Plain] });
        Assert.DoesNotContain(
            withoutRoles.RootElement.GetProperty("Statement").EnumerateArray(),
            s => Strings(s, "Action").Contains("sts:AssumeRole"));
    }

    [Fact]
    public void Output_is_stable_and_indented()
    {
        var options = new CertDaemonOptions
        {
            Certificates =
            [
                new CertificateOptions { Name = "z", Domains = ["z.example"], Route53 = new() { HostedZoneId = "ZB" }, Acm = new() { Regions = ["us-west-2"] } },
                new CertificateOptions { Name = "a", Domains = ["a.example"], Route53 = new() { HostedZoneId = "ZA" }, Acm = new() { Regions = ["eu-central-1"] } },
            ],
        };
        var reversed = options with { Certificates = [.. options.Certificates.Reverse()] };

        var first = IamPolicyBuilder.Build(options).Json;
        Assert.Equal(first, IamPolicyBuilder.Build(reversed).Json);
        Assert.Contains("\n  \"Statement\": [", first, StringComparison.Ordinal);
    }

    private static JsonDocument Parse(CertDaemonOptions options) => JsonDocument.Parse(IamPolicyBuilder.Build(options).Json);

    /// <summary>The single statement whose actions include <paramref name="action"/>.</summary>
    private static JsonElement Statement(JsonDocument policy, string action) =>
        Assert.Single(policy.RootElement.GetProperty("Statement").EnumerateArray(), s => Strings(s, "Action").Contains(action));

    private static List<string> Strings(JsonElement element, string name) =>
        element.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToList();
}
