using System.Text.Json;
using CertDaemon.Configuration;
using CertDaemon.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Serilog.Extensions.Logging;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Logging;

public sealed class LoggingSetupTests(ITestOutputHelper output)
{
    private const string AwsSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    private const string PrivateKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgZ1nX8s9lW2vPj0Ex
        hT4a0O2hQ1dWlGFM0d0r7cH2x3ShRANCAAQpqH9Rr1wHDD8TCH2g6mZ5Ul3rZ8e5
        -----END PRIVATE KEY-----
        """;

    [Fact]
    public void Json_is_clef_with_the_event_id_and_name_as_a_property()
    {
        var lines = Capture(LogFormat.Json, null, logger =>
            SampleLog.CertificateIssued(logger, "example", ["example.com", "*.example.com"], "04:a1:b2", new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero)));

        var line = Assert.Single(lines);
        output.WriteLine(line);
        using var clef = JsonDocument.Parse(line);
        var root = clef.RootElement;
        Assert.True(root.TryGetProperty("@t", out _), line);
        Assert.Equal("Issued {CertificateName} for {Domains}, serial {Serial}, valid until {NotAfter}", root.GetProperty("@mt").GetString());
        Assert.Equal("CertificateIssued", root.GetProperty("EventId").GetProperty("Name").GetString());
        Assert.Equal(2001, root.GetProperty("EventId").GetProperty("Id").GetInt32());
        Assert.Equal("example", root.GetProperty("CertificateName").GetString());
        Assert.Equal(["example.com", "*.example.com"], root.GetProperty("Domains").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal("04:a1:b2", root.GetProperty("Serial").GetString());
        Assert.False(root.TryGetProperty("@l", out _), "Information is CLEF's default level and is left out");
    }

    [Fact]
    public void Json_carries_the_product_configuration_invalid_event()
    {
        var lines = Capture(LogFormat.Json, null, logger =>
            ConfigurationLog.ConfigurationInvalid(logger, ["$.Acme.Email: is required"]));

        using var clef = JsonDocument.Parse(Assert.Single(lines));
        Assert.Equal("ConfigurationInvalid", clef.RootElement.GetProperty("EventId").GetProperty("Name").GetString());
        Assert.Equal("Fatal", clef.RootElement.GetProperty("@l").GetString());
    }

    [Fact]
    public void Text_is_one_readable_line_with_the_event_name()
    {
        var lines = Capture(LogFormat.Text, null, logger =>
            SampleLog.CertificateIssued(logger, "example", ["example.com"], "04:a1", new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero)));

        var line = Assert.Single(lines);
        Assert.Matches(@"^\[\d\d:\d\d:\d\d INF\] CertificateIssued: Issued example for \[""example.com""\], serial 04:a1, valid until ", line);
        Assert.DoesNotContain("{", line.Replace("[\"", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Quiet_categories_are_at_warning_and_the_serilog_section_overrides_levels()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Serilog:MinimumLevel:Default"] = "Warning",
                ["Serilog:MinimumLevel:Override:CertDaemon.Loud"] = "Debug",
            })
            .Build();
        var lines = Capture(LogFormat.Json, configuration, factory =>
        {
            SampleLog.Chatty(factory.CreateLogger("Quartz.Core.QuartzScheduler"), 1);
            SampleLog.Chatty(factory.CreateLogger("System.Net.Http.HttpClient.acme"), 2);
            SampleLog.Chatty(factory.CreateLogger("CertDaemon.Renewal"), 3);
            SampleLog.Chatty(factory.CreateLogger("CertDaemon.Loud"), 4);
        });

        var line = Assert.Single(lines);
        Assert.Contains("\"Value\":4", line, StringComparison.Ordinal);

        var defaults = Capture(LogFormat.Json, null, factory =>
        {
            SampleLog.Chatty(factory.CreateLogger("Quartz.Core.QuartzScheduler"), 1);
            SampleLog.Chatty(factory.CreateLogger("Microsoft.Hosting.Lifetime"), 2);
            SampleLog.Chatty(factory.CreateLogger("CertDaemon.Renewal"), 3);
        });
        Assert.Contains("\"Value\":3", Assert.Single(defaults), StringComparison.Ordinal);
    }

    [Fact]
    public void A_minimum_level_given_as_a_plain_string_applies_to_every_category()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Serilog:MinimumLevel"] = "warning" })
            .Build();
        var lines = Capture(LogFormat.Json, configuration, factory =>
        {
            SampleLog.Chatty(factory.CreateLogger("CertDaemon.Renewal"), 1);
            SampleLog.SecretCarrier(factory.CreateLogger("CertDaemon.Renewal"), "nothing", "none");
        });

        Assert.Contains("SecretCarrier", Assert.Single(lines), StringComparison.Ordinal);
    }

    [Fact]
    public void Redaction_replaces_a_private_key_and_an_aws_secret_passed_as_properties()
    {
        var lines = Capture(LogFormat.Json, null, logger =>
            SampleLog.SecretCarrier(logger, "key: " + PrivateKey, new Dictionary<string, string> { ["AccessKeyId"] = "AKIAIOSFODNN7EXAMPLE", ["SecretAccessKey"] = AwsSecret }));

        var line = Assert.Single(lines);
        Assert.DoesNotContain("MIGHAgEAMBMGByqGSM49", line, StringComparison.Ordinal);
        Assert.DoesNotContain("BEGIN PRIVATE KEY", line, StringComparison.Ordinal);
        Assert.DoesNotContain(AwsSecret, line.Replace("\\/", "/", StringComparison.Ordinal), StringComparison.Ordinal);
        using var clef = JsonDocument.Parse(line);
        Assert.Equal("key: " + SecretRedactor.RedactedPrivateKey, clef.RootElement.GetProperty("Material").GetString());
        Assert.Contains(SecretRedactor.RedactedAwsSecret, clef.RootElement.GetProperty("Credentials").GetRawText(), StringComparison.Ordinal);
        Assert.Contains("AKIAIOSFODNN7EXAMPLE", line, StringComparison.Ordinal); // the key id is not a secret
    }

    [Fact]
    public void Redaction_covers_exception_text_and_templates_built_from_data()
    {
        var lines = Capture(LogFormat.Text, null, logger =>
        {
            var failure = new InvalidOperationException("could not parse " + PrivateKey);
#pragma warning disable CA2254 // the point of this test: a template built from data (against STYLE.md) still gets redacted
            logger.LogError(failure, "secret " + AwsSecret + " in the template");
#pragma warning restore CA2254
        });

        var text = string.Join("\n", lines);
        Assert.DoesNotContain(AwsSecret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("MIGHAgEAMBMGByqGSM49", text, StringComparison.Ordinal);
        Assert.Contains("secret " + SecretRedactor.RedactedAwsSecret + " in the template", text, StringComparison.Ordinal);
        Assert.Contains("System.InvalidOperationException: could not parse " + SecretRedactor.RedactedPrivateKey, text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_short_form_names_every_cause_of_a_chain_that_carries_a_secret_and_never_the_secret()
    {
        var lines = Capture(LogFormat.Text, null, logger =>
        {
            var failure = new InvalidOperationException(
                "renewing example failed",
                new IOException("reading the new key back failed", new FormatException("not an EC key: " + PrivateKey)));
            logger.LogError(failure, "Renewal failed");
        });

        var text = string.Join("\n", lines);
        output.WriteLine(text);
        Assert.Contains("System.InvalidOperationException: renewing example failed", text, StringComparison.Ordinal);
        Assert.Contains(" ---> System.IO.IOException: reading the new key back failed", text, StringComparison.Ordinal);
        Assert.Contains(" ---> System.FormatException: not an EC key: " + SecretRedactor.RedactedPrivateKey, text, StringComparison.Ordinal);
        Assert.Contains(ExceptionSummary.TraceHint, text, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY-----", text, StringComparison.Ordinal);
        foreach (var keyLine in PrivateKey.Split('\n')[1..^1])
        {
            Assert.DoesNotContain(keyLine.Trim(), text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("da39a3ee5e6b4b0d3255bfef95601890afd80709")] // SHA-1 hex thumbprint
    [InlineData("DA39A3EE5E6B4B0D3255BFEF95601890AFD80709")]
    [InlineData("/var/lib/certdaemon/accounts/acme/v02/Ab1")] // a path, not a key
    [InlineData("https://acme-v02.api.letsencrypt.org/acme/order/12345/67890")]
    [InlineData("gfj9Xq...Rg85nM")]
    public void Redaction_leaves_lookalikes_alone(string text) => Assert.Same(text, SecretRedactor.Redact(text));

    [Theory]
    [InlineData(LogFormat.Auto, null, null, LogFormat.Text)]
    [InlineData(LogFormat.Auto, "8:12345", null, LogFormat.Json)]
    [InlineData(LogFormat.Auto, null, "0123456789abcdef0123456789abcdef", LogFormat.Json)]
    [InlineData(LogFormat.Text, "8:12345", "0123", LogFormat.Text)]
    [InlineData(LogFormat.Json, null, null, LogFormat.Json)]
    public void Auto_is_json_under_systemd(LogFormat requested, string? journalStream, string? invocationId, LogFormat expected)
    {
        var environment = new Dictionary<string, string?> { ["JOURNAL_STREAM"] = journalStream, ["INVOCATION_ID"] = invocationId };
        Assert.Equal(expected, LoggingSetup.ResolveFormat(requested, name => environment.GetValueOrDefault(name)));
    }

    [Theory]
    [InlineData("json", true, LogFormat.Json)]
    [InlineData("TEXT", true, LogFormat.Text)]
    [InlineData("auto", true, LogFormat.Auto)]
    [InlineData("1", false, LogFormat.Auto)]
    [InlineData("xml", false, LogFormat.Auto)]
    public void Log_format_option_parses(string value, bool ok, LogFormat expected)
    {
        Assert.Equal(ok, LoggingSetup.TryParseFormat(value, out var format));
        Assert.Equal(expected, format);
    }

    [Fact]
    public void Journal_prefix_sets_the_syslog_priority()
    {
        Assert.Equal(3, JournalLevelPrefixFormatter.SyslogPriority(Serilog.Events.LogEventLevel.Error));
        Assert.Equal(6, JournalLevelPrefixFormatter.SyslogPriority(Serilog.Events.LogEventLevel.Information));
        Assert.Equal(2, JournalLevelPrefixFormatter.SyslogPriority(Serilog.Events.LogEventLevel.Fatal));
    }

    private static List<string> Capture(LogFormat format, IConfiguration? configuration, Action<ILogger> log) =>
        Capture(format, configuration, (ILoggerFactory factory) => log(factory.CreateLogger("CertDaemon.Tests")));

    private static List<string> Capture(LogFormat format, IConfiguration? configuration, Action<ILoggerFactory> log)
    {
        using var writer = new StringWriter();
        using (var factory = new SerilogLoggerFactory(LoggingSetup.CreateLogger(configuration, format, writer), dispose: true))
        {
            log(factory);
        }

        return writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
