using System.Text.Json.Nodes;

namespace CertDaemon.Tests.Configuration;

/// <summary><c>Acme.Fallback</c> and <c>Issuer</c>: accepted when sound, refused with their JSON path otherwise.</summary>
public sealed class CertificateSourceConfigurationTests : IDisposable
{
    private readonly ConfigurationSandbox _sandbox = new();

    private static JsonObject Cert(JsonObject c, int i = 0) => c["Certificates"]![i]!.AsObject();

    private static JsonObject Fallback(string url = "https://acme.zerossl.com/v2/DV90") => new()
    {
        ["DirectoryUrl"] = url,
        ["ExternalAccountBinding"] = new JsonObject { ["KeyId"] = "kid-9", ["HmacKey"] = "c2VjcmV0LWtleS1ieXRlcw" },
        ["Profile"] = "classic",
    };

    private static readonly Dictionary<string, (Action<JsonObject> Break, string Path, string Fragment)> Cases = new()
    {
        ["fallback without a URL"] = (c => c["Acme"]!["Fallback"] = new JsonArray(new JsonObject { ["Profile"] = "x" }), "$.Acme.Fallback[0].DirectoryUrl", "required"),
        ["fallback over plain http"] = (c => c["Acme"]!["Fallback"] = new JsonArray(Fallback("http://ca.example.com/dir")), "$.Acme.Fallback[0].DirectoryUrl", "must use https"),
        ["fallback equal to the primary"] = (c => c["Acme"]!["Fallback"] = new JsonArray(Fallback(c["Acme"]!["DirectoryUrl"]!.GetValue<string>())),
            "$.Acme.Fallback[0].DirectoryUrl", "is already $.Acme.DirectoryUrl"),
        ["fallback listed twice"] = (c => c["Acme"]!["Fallback"] = new JsonArray(Fallback(), Fallback()), "$.Acme.Fallback[1].DirectoryUrl", "is already $.Acme.Fallback[0].DirectoryUrl"),
        ["fallback EAB without HMAC"] = (c =>
        {
            var f = Fallback();
            f["ExternalAccountBinding"] = new JsonObject { ["KeyId"] = "kid" };
            c["Acme"]!["Fallback"] = new JsonArray(f);
        }, "$.Acme.Fallback[0].ExternalAccountBinding.HmacKey", "required when KeyId is set"),
        ["fallback bad profile"] = (c =>
        {
            var f = Fallback();
            f["Profile"] = "two words";
            c["Acme"]!["Fallback"] = new JsonArray(f);
        }, "$.Acme.Fallback[0].Profile", "not a profile name"),
        ["fallback unknown key"] = (c =>
        {
            var f = Fallback();
            f["Email"] = "x@example.com";
            c["Acme"]!["Fallback"] = new JsonArray(f);
        }, "$.Acme.Fallback[0].Email", "unknown key"),
        ["unknown issuer"] = (c => Cert(c)["Issuer"] = "zerossl", "$.Certificates[0].Issuer", "use \"acme\" or \"acm-export\""),
        ["acm-export without Acm"] = (c => Cert(c)["Issuer"] = "acm-export", "$.Certificates[0].Acm.Regions", "requested in one ACM region"),
        ["acm-export in two regions"] = (c => Cert(c, 1)["Issuer"] = "acm-export", "$.Certificates[1].Acm.Regions", "exactly one ACM region"),
        ["acm-export with rsa4096"] = (c =>
        {
            Cert(c, 1)["Issuer"] = "acm-export";
            Cert(c, 1)["Acm"] = new JsonObject { ["Regions"] = new JsonArray("us-east-1") };
            Cert(c, 1)["KeyType"] = "rsa4096";
        }, "$.Certificates[1].KeyType", "ec256, ec384 or rsa2048"),
        ["acm-export with a profile"] = (c =>
        {
            Cert(c, 1)["Issuer"] = "acm-export";
            Cert(c, 1)["Acm"] = new JsonObject { ["Regions"] = new JsonArray("us-east-1") };
            Cert(c, 1)["Profile"] = "shortlived";
        }, "$.Certificates[1].Profile", "profiles are an ACME feature"),
        ["RenewWhenIneligible on an imported certificate"] = (c => Cert(c, 1)["Acm"]!["RenewWhenIneligible"] = true,
            "$.Certificates[1].Acm.RenewWhenIneligible", "applies only to certificates with \"Issuer\": \"acm-export\""),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Is_refused_with_its_path(string caseName)
    {
        var (breakIt, path, fragment) = Cases[caseName];
        var configuration = _sandbox.ValidConfiguration();
        breakIt(configuration);

        var result = _sandbox.Load(configuration);

        Assert.False(result.Succeeded);
        Assert.True(
            result.Problems.Any(p => p.Path == path && p.Message.Contains(fragment, StringComparison.Ordinal)),
            $"expected \"{path}: ...{fragment}...\" among:\n  {string.Join("\n  ", result.Problems.Select(p => p.ToString()))}");
    }

    [Fact]
    public void A_fallback_chain_and_an_acm_export_certificate_are_accepted_and_bound()
    {
        var configuration = _sandbox.ValidConfiguration();
        configuration["Acme"]!["Fallback"] = new JsonArray(Fallback(), new JsonObject { ["DirectoryUrl"] = "https://dv.acme-v02.api.pki.goog/directory" });
        Cert(configuration, 1)["Issuer"] = "acm-export";
        Cert(configuration, 1)["Acm"] = new JsonObject { ["Regions"] = new JsonArray("eu-west-1"), ["RenewWhenIneligible"] = true };

        var result = _sandbox.Load(configuration);

        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        var options = result.Configuration!.Options;
        Assert.Equal(2, options.Acme.Fallback.Count);
        Assert.Equal("kid-9", options.Acme.Fallback[0].ExternalAccountBinding!.KeyId);
        Assert.Equal("classic", options.Acme.Fallback[0].Profile);
        Assert.Equal(new Uri("https://dv.acme-v02.api.pki.goog/directory"), options.Acme.Fallback[1].DirectoryUrl);
        Assert.Equal("acme", options.Certificates[0].Issuer);
        Assert.Equal("acm-export", options.Certificates[1].Issuer);
        Assert.True(options.Certificates[1].Acm!.RenewWhenIneligible);
    }

    [Fact]
    public void A_fallback_eab_secret_is_never_echoed()
    {
        var configuration = _sandbox.ValidConfiguration();
        var fallback = Fallback();
        fallback["ExternalAccountBinding"] = new JsonObject { ["KeyId"] = "kid-1", ["HmacKey"] = "s3cr3t+/s3cr3t" };
        configuration["Acme"]!["Fallback"] = new JsonArray(fallback);

        var result = _sandbox.Load(configuration);

        Assert.Contains(result.Problems, p => p.Path == "$.Acme.Fallback[0].ExternalAccountBinding.HmacKey");
        Assert.DoesNotContain(result.Problems, p => p.ToString().Contains("s3cr3t", StringComparison.Ordinal));
    }

    public void Dispose() => _sandbox.Dispose();
}
