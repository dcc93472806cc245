using System.Text.Json.Nodes;

namespace CertDaemon.Tests.Configuration;

/// <summary>Each kind of bad configuration is refused with a message at the right JSON path.</summary>
public sealed class BadConfigurationTests : IDisposable
{
    private readonly ConfigurationSandbox _sandbox = new();

    private static JsonObject Cert(JsonObject c, int i = 0) => c["Certificates"]![i]!.AsObject();

    /// <summary>case name -> (how to break a valid configuration, expected path, expected message fragment).</summary>
    private static readonly Dictionary<string, (Action<JsonObject, ConfigurationSandbox> Break, string Path, string Fragment)> Cases = new()
    {
        ["unknown key Domain"] = ((c, _) => { var x = Cert(c); x["Domain"] = x["Domains"]!.DeepClone(); x.Remove("Domains"); },
            "$.Certificates[0].Domain", "unknown key (did you mean \"Domains\"?)"),
        ["unknown top-level section"] = ((c, _) => c["Acmee"] = new JsonObject(), "$.Acmee", "did you mean \"Acme\""),
        ["unknown key without a near match"] = ((c, _) => c["Nginx"]!["Frobnicate"] = true, "$.Nginx.Frobnicate", "unknown key (known keys: Enabled"),
        ["wildcard inside a label"] = ((c, _) => Cert(c)["Domains"]![1] = "a*.example.com", "$.Certificates[0].Domains[1]", "'*' is allowed only as the whole leftmost label"),
        ["double wildcard"] = ((c, _) => Cert(c)["Domains"]![1] = "*.*.example.com", "$.Certificates[0].Domains[1]", "'*' is allowed only"),
        ["wildcard not leftmost"] = ((c, _) => Cert(c)["Domains"]![1] = "foo.*.com", "$.Certificates[0].Domains[1]", "'*' is allowed only"),
        ["duplicate after punycode and case"] = ((c, _) => Cert(c)["Domains"] = new JsonArray("bücher.example.com", "XN--BCHER-KVA.Example.COM"),
            "$.Certificates[0].Domains[1]", "already listed as Domains[0]"),
        ["101 names"] = ((c, _) => Cert(c)["Domains"] = new JsonArray(Enumerable.Range(0, 101).Select(i => (JsonNode)$"h{i}.example.com").ToArray()),
            "$.Certificates[0].Domains", "at most 100"),
        ["label of 64 characters"] = ((c, _) => Cert(c)["Domains"]![0] = new string('a', 64) + ".example.com", "$.Certificates[0].Domains[0]", "at most 63"),
        ["name longer than 253"] = ((c, _) => Cert(c)["Domains"]![0] = string.Join('.', Enumerable.Repeat(new string('a', 60), 5)) + ".com",
            "$.Certificates[0].Domains[0]", "at most 253"),
        ["underscore in a label"] = ((c, _) => Cert(c)["Domains"]![0] = "my_host.example.com", "$.Certificates[0].Domains[0]", "contains '_'"),
        ["label starting with a hyphen"] = ((c, _) => Cert(c)["Domains"]![0] = "-bad.example.com", "$.Certificates[0].Domains[0]", "starts or ends with a hyphen"),
        ["IP address"] = ((c, _) => Cert(c)["Domains"]![0] = "192.0.2.10", "$.Certificates[0].Domains[0]", "IP address"),
        ["single label"] = ((c, _) => Cert(c)["Domains"]![0] = "localhost", "$.Certificates[0].Domains[0]", "single label"),
        ["name redundant with a wildcard"] = ((c, _) => Cert(c)["Domains"] = new JsonArray("*.example.com", "www.example.com"),
            "$.Certificates[0].Domains[1]", "is covered by \"*.example.com\""),
        ["no domains"] = ((c, _) => Cert(c)["Domains"] = new JsonArray(), "$.Certificates[0].Domains", "at least one domain"),
        ["bad key type"] = ((c, _) => Cert(c)["KeyType"] = "rsa1024", "$.Certificates[0].KeyType", "unknown key type \"rsa1024\""),
        ["bad duration"] = ((c, _) => c["Route53"]!["PropagationTimeout"] = "5 minutes", "$.Route53.PropagationTimeout", "expected a duration like \"00:05:00\""),
        ["bare number duration"] = ((c, _) => c["Route53"]!["PropagationTimeout"] = "300", "$.Route53.PropagationTimeout", "expected a duration"),
        ["zero duration"] = ((c, _) => c["Route53"]!["PropagationTimeout"] = "00:00:00", "$.Route53.PropagationTimeout", "must be positive"),
        ["insane duration"] = ((c, _) => c["Route53"]!["PropagationTimeout"] = "2.00:00:00", "$.Route53.PropagationTimeout", "at most 01:00:00"),
        ["check interval over twelve hours"] = ((c, _) => c["Renewal"] = new JsonObject { ["CheckInterval"] = "1.00:00:00" }, "$.Renewal.CheckInterval", "at most 12:00:00"),
        ["missing program for TestCommand"] = ((c, _) => c["Nginx"]!["TestCommand"] = new JsonArray("no-such-nginx", "-t"),
            "$.Nginx.TestCommand[0]", "program \"no-such-nginx\" was not found on PATH"),
        ["absolute program that does not exist"] = ((c, _) => c["Nginx"]!["ReloadCommand"] = new JsonArray("/nonexistent/systemctl", "reload", "nginx"),
            "$.Nginx.ReloadCommand[0]", "does not exist or is not an executable file"),
        ["relative program path"] = ((c, _) => c["DeployHooks"] = new JsonArray(new JsonArray("./hook.sh")), "$.DeployHooks[0][0]", "relative path"),
        ["empty command"] = ((c, _) => c["Nginx"]!["TestCommand"] = new JsonArray(), "$.Nginx.TestCommand", "non-empty argv list"),
        ["non-executable program"] = ((c, s) =>
        {
            var file = Path.Combine(s.Root, "not-executable");
            File.WriteAllText(file, "#!/bin/sh\n");
            ConfigurationSandbox.SetMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            c["DeployHooks"] = new JsonArray(new JsonArray(file));
        }, "$.DeployHooks[0][0]", "not an executable file"),
        ["CloudFront with eu-west-1 only"] = ((c, _) => Cert(c, 1)["Acm"] = new JsonObject { ["Regions"] = new JsonArray("eu-west-1"), ["CloudFront"] = true },
            "$.Certificates[1].Acm.CloudFront", "add \"us-east-1\" to Regions"),
        ["CloudFront with ec384"] = ((c, _) =>
        {
            Cert(c, 1)["KeyType"] = "ec384";
            Cert(c, 1)["Acm"] = new JsonObject { ["Regions"] = new JsonArray("us-east-1"), ["CloudFront"] = true };
        }, "$.Certificates[1].Acm.CloudFront", "does not accept ec384"),
        ["bad region"] = ((c, _) => Cert(c, 1)["Acm"]!["Regions"]![1] = "Europe", "$.Certificates[1].Acm.Regions[1]", "not an AWS region name"),
        ["duplicate region"] = ((c, _) => Cert(c, 1)["Acm"]!["Regions"]![1] = "us-east-1", "$.Certificates[1].Acm.Regions[1]", "listed twice"),
        ["tag key with a colon"] = ((c, _) => Cert(c, 1)["Acm"]!["Tags"] = new JsonObject { ["aws:owner"] = "me" }, "$.Certificates[1].Acm.Tags['aws:owner']", "cannot contain ':'"),
        ["tag value too long"] = ((c, _) => Cert(c, 1)["Acm"]!["Tags"] = new JsonObject { ["team"] = new string('x', 257) }, "$.Certificates[1].Acm.Tags.team", "at most 256"),
        ["empty Acm section"] = ((c, _) => Cert(c, 1)["Acm"] = new JsonObject(), "$.Certificates[1].Acm.Regions", "at least one region"),
        ["unsafe name ../x"] = ((c, _) => Cert(c)["Name"] = "../x", "$.Certificates[0].Name", "not a safe file name"),
        ["dot name"] = ((c, _) => Cert(c)["Name"] = "..", "$.Certificates[0].Name", "not a safe file name"),
        ["missing name"] = ((c, _) => Cert(c).Remove("Name"), "$.Certificates[0].Name", "required"),
        ["duplicate names ignoring case"] = ((c, _) => Cert(c, 1)["Name"] = "Example", "$.Certificates[1].Name", "duplicate name \"Example\" (also $.Certificates[0].Name"),
        ["terms of service not accepted"] = ((c, _) => c["Acme"]!["AcceptTermsOfService"] = false, "$.Acme.AcceptTermsOfService", "must be true"),
        ["terms of service missing"] = ((c, _) => c["Acme"]!.AsObject().Remove("AcceptTermsOfService"), "$.Acme.AcceptTermsOfService", "must be true"),
        ["http directory on a public host"] = ((c, _) => c["Acme"]!["DirectoryUrl"] = "http://acme.example.com/directory", "$.Acme.DirectoryUrl", "must use https"),
        ["directory URL not absolute"] = ((c, _) => c["Acme"]!["DirectoryUrl"] = "acme.example.com/directory", "$.Acme.DirectoryUrl", "expected an absolute URL"),
        ["EAB with KeyId only"] = ((c, _) => c["Acme"]!["ExternalAccountBinding"] = new JsonObject { ["KeyId"] = "kid-1" },
            "$.Acme.ExternalAccountBinding.HmacKey", "required when KeyId is set"),
        ["EAB with HmacKey only"] = ((c, _) => c["Acme"]!["ExternalAccountBinding"] = new JsonObject { ["HmacKey"] = "c2VjcmV0LWtleS1ieXRlcw" },
            "$.Acme.ExternalAccountBinding.KeyId", "required when HmacKey is set"),
        ["EAB HMAC not base64url"] = ((c, _) => c["Acme"]!["ExternalAccountBinding"] = new JsonObject { ["KeyId"] = "kid-1", ["HmacKey"] = "abc+/def" },
            "$.Acme.ExternalAccountBinding.HmacKey", "not valid base64url"),
        ["implausible email"] = ((c, _) => c["Acme"]!["Email"] = "ops-at-example.com", "$.Acme.Email", "not a plausible email address"),
        ["runaway email"] = ((c, _) => c["Acme"]!["Email"] = new string('a', 5_000_000) + "@example.com", "$.Acme.Email", "is 5000012 characters long; an email address has at most 254"),
        ["mailto email"] = ((c, _) => c["Acme"]!["Email"] = "mailto:ops@example.com", "$.Acme.Email", "without \"mailto:\""),
        ["bad profile"] = ((c, _) => c["Acme"]!["Profile"] = "short lived", "$.Acme.Profile", "not a profile name"),
        ["TrustedCaFile missing"] = ((c, s) => c["Acme"]!["TrustedCaFile"] = Path.Combine(s.Root, "nope.pem"), "$.Acme.TrustedCaFile", "does not exist"),
        ["TrustedCaFile not PEM"] = ((c, s) =>
        {
            var file = Path.Combine(s.Root, "garbage.pem");
            File.WriteAllText(file, "hello");
            c["Acme"]!["TrustedCaFile"] = file;
        }, "$.Acme.TrustedCaFile", "contains no PEM certificate"),
        ["TrustedCaFile relative"] = ((c, _) => c["Acme"]!["TrustedCaFile"] = "ca.pem", "$.Acme.TrustedCaFile", "absolute path"),
        ["relative StateDirectory"] = ((c, _) => c["StateDirectory"] = "var/lib/certdaemon", "$.StateDirectory", "must be an absolute path"),
        ["CertificateDirectory under a file"] = ((c, s) =>
        {
            var file = Path.Combine(s.Root, "a-file");
            File.WriteAllText(file, "");
            c["CertificateDirectory"] = Path.Combine(file, "sub");
        }, "$.CertificateDirectory", "is not a directory"),
        ["KeepVersions 0"] = ((c, _) => c["Store"] = new JsonObject { ["KeepVersions"] = 0 }, "$.Store.KeepVersions", "between 1 and 1000"),
        ["KeepVersions quoted"] = ((c, _) => c["Store"] = new JsonObject { ["KeepVersions"] = "5" }, "$.Store.KeepVersions", "expected a whole number, got the string 5"),
        ["KeepVersions fractional"] = ((c, _) => c["Store"] = new JsonObject { ["KeepVersions"] = 2.5 }, "$.Store.KeepVersions", "expected a whole number, got \"2.5\""),
        ["MaxConcurrentIssuances 0"] = ((c, _) => c["Renewal"] = new JsonObject { ["MaxConcurrentIssuances"] = 0 }, "$.Renewal.MaxConcurrentIssuances", "between 1 and 16"),
        ["string where array expected"] = ((c, _) => Cert(c)["Domains"] = "example.com", "$.Certificates[0].Domains", "expected an array, got the string example.com"),
        ["object where array expected"] = ((c, _) => Cert(c)["Domains"] = new JsonObject { ["a"] = "example.com" }, "$.Certificates[0].Domains", "expected an array, got an object"),
        ["array where string expected"] = ((c, _) => c["Acme"]!["Email"] = new JsonArray("ops@example.com"), "$.Acme.Email", "expected a string, got an array"),
        ["string where boolean expected"] = ((c, _) => c["Acme"]!["AcceptTermsOfService"] = "yes", "$.Acme.AcceptTermsOfService", "expected true or false"),
        ["number where string expected"] = ((c, _) => Cert(c)["Name"] = 42, "$.Certificates[0].Name", "expected a string, got the number 42"),
        ["string where object expected"] = ((c, _) => c["Nginx"] = "on", "$.Nginx", "expected an object"),
        ["certificate that is not an object"] = ((c, _) => c["Certificates"]![1] = "shop", "$.Certificates[1]", "expected an object"),
        ["null domain"] = ((c, _) => Cert(c)["Domains"]![1] = null, "$.Certificates[0].Domains[1]", "expected a string, got null"),
        ["Serilog section not an object"] = ((c, _) => c["Serilog"] = "verbose", "$.Serilog", "expected an object"),
        ["Serilog sink the daemon would not add"] = ((c, _) => c["Serilog"] = new JsonObject { ["WriteTo"] = new JsonArray(new JsonObject { ["Name"] = "File" }) },
            "$.Serilog.WriteTo", "unknown key (known keys: MinimumLevel)"),
        ["Serilog level misspelt"] = ((c, _) => c["Serilog"] = new JsonObject { ["MinimumLevel"] = "Informational" }, "$.Serilog.MinimumLevel", "unknown log level \"Informational\""),
        ["Serilog override level misspelt"] = ((c, _) => c["Serilog"] = JsonNode.Parse("""{ "MinimumLevel": { "Default": "Debug", "Override": { "Quartz": "Warn" } } }"""),
            "$.Serilog.MinimumLevel.Override.Quartz", "unknown log level \"Warn\" (expected one of Verbose, Debug"),
        ["nameserver by name"] = ((c, _) => c["Dns"] = new JsonObject { ["Nameservers"] = new JsonArray("ns1.example.com") }, "$.Dns.Nameservers[0]", "not ip[:port]"),
        ["VerifyAddress without port"] = ((c, _) => c["Nginx"]!["VerifyAddress"] = "127.0.0.1", "$.Nginx.VerifyAddress", "not host:port"),
        ["hosted zone id malformed"] = ((c, _) => Cert(c)["Route53"] = new JsonObject { ["HostedZoneId"] = "example.com" }, "$.Certificates[0].Route53.HostedZoneId", "not a hosted zone id"),
        ["role ARN malformed"] = ((c, _) => c["Route53"]!["RoleArn"] = "arn:aws:iam::12:user/x", "$.Route53.RoleArn", "not an IAM role ARN"),
        ["ExternalId without role"] = ((c, _) => c["Route53"]!["ExternalId"] = "abc123", "$.Route53.ExternalId", "no effect without RoleArn"),
        ["endpoint URL not http"] = ((c, _) => c["Route53"]!["EndpointUrl"] = "ftp://route53.local", "$.Route53.EndpointUrl", "http or https"),
        ["unknown key in a certificate's Acm"] = ((c, _) => Cert(c, 1)["Acm"]!["Region"] = "us-east-1", "$.Certificates[1].Acm.Region", "did you mean \"Regions\""),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Is_refused_with_its_path(string caseName)
    {
        var (breakIt, path, fragment) = Cases[caseName];
        var configuration = _sandbox.ValidConfiguration();
        breakIt(configuration, _sandbox);

        var result = _sandbox.Load(configuration);

        Assert.False(result.Succeeded);
        var lines = result.Problems.Select(p => p.ToString()).ToList();
        Assert.True(
            result.Problems.Any(p => p.Path == path && p.Message.Contains(fragment, StringComparison.Ordinal)),
            $"expected \"{path}: ...{fragment}...\" among:\n  {string.Join("\n  ", lines)}");
    }

    [Fact]
    public void There_are_at_least_twenty_kinds() => Assert.True(Cases.Count >= 20);

    [Fact]
    public void Eab_hmac_key_is_never_echoed()
    {
        var configuration = _sandbox.ValidConfiguration();
        configuration["Acme"]!["ExternalAccountBinding"] = new JsonObject { ["KeyId"] = "kid-1", ["HmacKey"] = "s3cr3t+/s3cr3t" };

        var result = _sandbox.Load(configuration);

        Assert.DoesNotContain(result.Problems, p => p.ToString().Contains("s3cr3t", StringComparison.Ordinal));
    }

    public void Dispose() => _sandbox.Dispose();
}
