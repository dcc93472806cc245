using System.Text.Json.Nodes;
using CertDaemon.Configuration;
using CertDaemon.Kernel;
using Microsoft.Extensions.Logging;
using CertDaemon.Tests.Testbed;

namespace CertDaemon.Tests.Configuration;

public sealed class ConfigurationLoaderTests : IDisposable
{
    private readonly ConfigurationSandbox _sandbox = new();

    [Fact]
    public void Valid_configuration_loads_with_idn_domains_as_lowercase_punycode()
    {
        var configuration = _sandbox.ValidConfiguration();
        configuration["Certificates"]![0]!["Domains"] = new JsonArray("Bücher.Example.COM", "*.BÜCHER.example.com", "faß.de");

        var result = _sandbox.Load(configuration);

        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        Assert.Equal(["xn--bcher-kva.example.com", "*.xn--bcher-kva.example.com", "xn--fa-hia.de"], result.Configuration.Options.Certificates[0].Domains);
        Assert.Equal(_sandbox.ConfigPath, result.Configuration.SourcePath);
    }

    [Fact]
    public void Defaults_apply_to_absent_keys()
    {
        var result = _sandbox.Load(_sandbox.ValidConfiguration());

        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        var options = result.Configuration.Options;
        Assert.Equal(KeyType.Ec256, options.Certificates[1].KeyType);
        Assert.True(options.Certificates[1].Nginx);
        Assert.False(options.Certificates[1].Acm!.CloudFront);
        Assert.Equal(5, options.Store.KeepVersions);
        Assert.Equal(2, options.Renewal.MaxConcurrentIssuances);
        Assert.Equal(TimeSpan.FromHours(12), options.Renewal.CheckInterval);
        Assert.Equal("127.0.0.1:443", options.Nginx.VerifyAddress);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Nginx.CommandTimeout);
        Assert.False(options.Route53.PrivateZones);
        Assert.Equal(TimeSpan.FromMinutes(2), options.Route53.PropagationTimeout);
    }

    [Fact]
    public void Keys_match_ignoring_case()
    {
        var json = _sandbox.ValidConfiguration().ToJsonString()
            .Replace("\"Acme\"", "\"acme\"", StringComparison.Ordinal)
            .Replace("\"AcceptTermsOfService\"", "\"acceptTermsOfService\"", StringComparison.Ordinal)
            .Replace("\"Domains\"", "\"DOMAINS\"", StringComparison.Ordinal);

        var result = _sandbox.Load(json);

        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        Assert.True(result.Configuration.Options.Acme.AcceptTermsOfService);
    }

    [Fact]
    public void Null_verify_address_switches_the_probe_off()
    {
        var configuration = _sandbox.ValidConfiguration();
        configuration["Nginx"]!["VerifyAddress"] = null;

        var result = _sandbox.Load(configuration);

        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        Assert.Null(result.Configuration.Options.Nginx.VerifyAddress);
    }

    [Fact]
    public void Nginx_programs_are_not_required_when_nginx_is_disabled()
    {
        var configuration = _sandbox.ValidConfiguration();
        configuration["Nginx"]!["Enabled"] = false;
        configuration["Nginx"]!["TestCommand"] = new JsonArray("no-such-nginx", "-t");

        Assert.True(_sandbox.Load(configuration).Succeeded);
    }

    [Fact]
    public void Http_directory_on_loopback_is_accepted_for_a_local_test_ca()
    {
        var configuration = _sandbox.ValidConfiguration();
        configuration["Acme"]!["DirectoryUrl"] = "http://127.0.0.1:14000/dir";

        Assert.True(_sandbox.Load(configuration).Succeeded);
    }

    [Fact]
    public void Eab_and_trusted_ca_file_that_are_right_pass()
    {
        var caFile = Path.Combine(_sandbox.Root, "ca.pem");
        using (var key = System.Security.Cryptography.ECDsa.Create())
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Test CA", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(100));
            File.WriteAllText(caFile, certificate.ExportCertificatePem());
        }

        var configuration = _sandbox.ValidConfiguration();
        configuration["Acme"]!["TrustedCaFile"] = caFile;
        configuration["Acme"]!["ExternalAccountBinding"] = new JsonObject { ["KeyId"] = "kid-1", ["HmacKey"] = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W" };

        var result = _sandbox.Load(configuration);

        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
    }

    [Fact]
    public void Environment_overrides_apply_over_the_file()
    {
        _sandbox.Environment["CERTDAEMON_Acme__Email"] = "security@example.org";
        _sandbox.Environment["CERTDAEMON_Certificates__0__Domains__1"] = "www.example.com";
        _sandbox.Environment["CERTDAEMON_Certificates__1__KeyType"] = "RSA3072";
        _sandbox.Environment["CERTDAEMON_Nginx__Enabled"] = "false";
        _sandbox.Environment["CERTDAEMON_Store__KeepVersions"] = "9";
        _sandbox.Environment["CERTDAEMON_Route53__PropagationTimeout"] = "00:10:00";
        _sandbox.Environment["OTHER_Store__KeepVersions"] = "0";

        var result = _sandbox.Load(_sandbox.ValidConfiguration());

        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        var options = result.Configuration.Options;
        Assert.Equal("security@example.org", options.Acme.Email);
        Assert.Equal(["example.com", "www.example.com"], options.Certificates[0].Domains);
        Assert.Equal(KeyType.Rsa3072, options.Certificates[1].KeyType);
        Assert.False(options.Nginx.Enabled);
        Assert.Equal(9, options.Store.KeepVersions);
        Assert.Equal(TimeSpan.FromMinutes(10), options.Route53.PropagationTimeout);
    }

    [Fact]
    public void Environment_override_with_a_bad_value_names_the_variable()
    {
        _sandbox.Environment["CERTDAEMON_Store__KeepVersions"] = "0";
        _sandbox.Environment["CERTDAEMON_Certificates__0__Domains__0"] = "a*.example.com";

        var result = _sandbox.Load(_sandbox.ValidConfiguration());

        Assert.Contains(result.Problems, p => p.Path == "$.Store.KeepVersions"
            && p.Message.Contains("between 1 and 1000", StringComparison.Ordinal)
            && p.Message.Contains("(from environment variable CERTDAEMON_Store__KeepVersions)", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.Path == "$.Certificates[0].Domains[0]"
            && p.Message.Contains("CERTDAEMON_Certificates__0__Domains__0", StringComparison.Ordinal));
    }

    [Fact]
    public void Environment_override_that_does_not_parse_is_refused()
    {
        _sandbox.Environment["CERTDAEMON_Nginx__Enabled"] = "yes";

        var result = _sandbox.Load(_sandbox.ValidConfiguration());

        var problem = Assert.Single(result.Problems);
        Assert.Equal("$.Nginx.Enabled", problem.Path);
        Assert.Contains("expected true or false, got \"yes\"", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Environment_override_with_an_unknown_key_is_refused_with_a_suggestion()
    {
        _sandbox.Environment["CERTDAEMON_Acme__Emial"] = "ops@example.com";

        var result = _sandbox.Load(_sandbox.ValidConfiguration());

        var problem = Assert.Single(result.Problems);
        Assert.Equal("$.Acme.Emial", problem.Path);
        Assert.Contains("did you mean \"Email\"", problem.Message, StringComparison.Ordinal);
        Assert.Contains("CERTDAEMON_Acme__Emial", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Environment_override_setting_an_array_as_one_string_explains_the_index_form()
    {
        _sandbox.Environment["CERTDAEMON_Nginx__TestCommand"] = "nginx -t";

        var result = _sandbox.Load(_sandbox.ValidConfiguration());

        Assert.Contains(result.Problems, p => p.Path == "$.Nginx.TestCommand" && p.Message.Contains("__0", StringComparison.Ordinal));
    }

    [Fact]
    public void Environment_override_leaving_a_gap_in_an_array_is_refused()
    {
        _sandbox.Environment["CERTDAEMON_Certificates__0__Domains__5"] = "api.example.com";

        var result = _sandbox.Load(_sandbox.ValidConfiguration());

        Assert.Contains(result.Problems, p => p.Path == "$.Certificates[0].Domains[5]" && p.Message.Contains("out of sequence", StringComparison.Ordinal));
    }

    [Fact]
    public void Config_path_variable_is_not_treated_as_a_key()
    {
        _sandbox.Environment["CERTDAEMON_CONFIG"] = "/somewhere/else.json";

        Assert.True(_sandbox.Load(_sandbox.ValidConfiguration()).Succeeded);
    }

    [Fact]
    public void All_problems_are_reported_at_once_one_line_each()
    {
        var configuration = _sandbox.ValidConfiguration();
        configuration["Acme"]!["AcceptTermsOfService"] = false;
        configuration["Certificates"]![0]!["KeyType"] = "dsa";
        configuration["Store"] = new JsonObject { ["KeepVersions"] = 0 };

        var result = _sandbox.Load(configuration);

        Assert.Equal(
            [
                "$.Certificates[0].KeyType: unknown key type \"dsa\" (expected one of ec256, ec384, rsa2048, rsa3072, rsa4096)",
                "$.Acme.AcceptTermsOfService: must be true: read the CA's terms of service (the directory's meta.termsOfService) and accept them to register an account",
                "$.Store.KeepVersions: must be between 1 and 1000 (the live version counts), got 0",
            ],
            result.Problems.Select(p => p.ToString()));
        var exception = Assert.Throws<ConfigurationException>(result.GetOrThrow);
        Assert.Equal(3, exception.Problems.Count);
        Assert.Equal(78, ConfigurationException.ExitCode);
    }

    [Fact]
    public void A_value_the_binder_refused_is_not_reported_again_by_the_validator()
    {
        var configuration = _sandbox.ValidConfiguration();
        configuration["Certificates"]![0]!["Domains"] = "example.com";

        var result = _sandbox.Load(configuration);

        Assert.Single(result.Problems, p => p.Path.StartsWith("$.Certificates[0].Domains", StringComparison.Ordinal));
    }

    [Fact]
    public void Invalid_json_is_reported_with_its_line_and_column()
    {
        var result = _sandbox.Load("{\n  \"Acme\": {\n    \"Email\" \"ops@example.com\"\n  }\n}\n");

        var problem = Assert.Single(result.Problems);
        Assert.Equal("$", problem.Path);
        Assert.Contains("is not valid JSON: line 3, column", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Comments_and_trailing_commas_are_accepted_like_the_json_provider_does()
    {
        var json = _sandbox.ValidConfiguration().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        json = "// CertDaemon\n" + json.Insert(json.LastIndexOf('}'), ",").Replace("\"Acme\": {", "\"Acme\": { /* account */", StringComparison.Ordinal);

        var result = _sandbox.Load(json);

        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
    }

    [Fact]
    public void Top_level_must_be_an_object()
    {
        var problem = Assert.Single(_sandbox.Load("[1, 2]").Problems);

        Assert.Contains("must contain a JSON object", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_keys_differing_only_in_case_are_refused()
    {
        var result = _sandbox.Load("{ \"Acme\": { \"Email\": \"a@example.com\", \"email\": \"b@example.com\", \"AcceptTermsOfService\": true } }");

        var problem = Assert.Single(result.Problems);
        Assert.Equal("$.Acme.email", problem.Path);
        Assert.Contains("duplicate key", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_one_problem()
    {
        var path = Path.Combine(_sandbox.Root, "absent.json");

        var result = ConfigurationLoader.Load(path, _sandbox.Environment);

        var problem = Assert.Single(result.Problems);
        Assert.Equal("$", problem.Path);
        Assert.Contains("does not exist", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Path_comes_from_the_command_line_then_the_environment_then_the_default()
    {
        var environment = new Dictionary<string, string?> { ["CERTDAEMON_CONFIG"] = "/env/certdaemon.json" };

        Assert.Equal("/cli.json", ConfigurationLoader.ResolvePath("/cli.json", environment));
        Assert.Equal("/env/certdaemon.json", ConfigurationLoader.ResolvePath(null, environment));
        Assert.Equal("/etc/certdaemon/certdaemon.json", ConfigurationLoader.ResolvePath(null, new Dictionary<string, string?>()));
    }

    [Fact]
    public void Example_configuration_is_refused_until_the_terms_are_accepted_and_valid_after()
    {
        var example = Path.Combine(RepositoryRoot.Path, "deploy", "certdaemon.example.json");
        _sandbox.Environment["CERTDAEMON_StateDirectory"] = _sandbox.StateDirectory;
        _sandbox.Environment["CERTDAEMON_CertificateDirectory"] = _sandbox.CertificateDirectory;

        // As installed (packages put it in /etc/certdaemon): the operator has to edit it before the daemon can start.
        var asShipped = ConfigurationLoader.Load(example, _sandbox.Environment);
        var problem = Assert.Single(asShipped.Problems);
        Assert.Equal("$.Acme.AcceptTermsOfService", problem.Path);

        _sandbox.Environment["CERTDAEMON_Acme__AcceptTermsOfService"] = "true";
        var result = ConfigurationLoader.Load(example, _sandbox.Environment);

        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        Assert.Equal(["shop.example.net", "xn--bcher-kva.example.net"], result.Configuration.Options.Certificates[1].Domains);
        Assert.Equal("Information", result.Configuration.Configuration["Serilog:MinimumLevel:Default"]);
    }

    [Fact]
    public void Invalid_configuration_is_logged_as_ConfigurationInvalid()
    {
        var logger = new CapturingLogger<ConfigurationLoaderTests>();
        var problems = new[] { new ConfigurationProblem("$.Store.KeepVersions", "must be between 1 and 1000") };

        ConfigurationLog.ConfigurationInvalid(logger, problems);

        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Critical, entry.Level);
        Assert.Equal(8001, entry.EventId.Id);
        Assert.Equal("ConfigurationInvalid", entry.EventId.Name);
        Assert.Contains("$.Store.KeepVersions: must be between 1 and 1000", entry.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _sandbox.Dispose();
}
