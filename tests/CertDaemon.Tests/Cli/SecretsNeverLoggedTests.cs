using System.Security.Cryptography;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Cli;

/// <summary>
/// A whole issuance with every log level on (Verbose, JSON and text), an EAB account and AWS credentials: no
/// certificate or account key material, no EAB HMAC key and no AWS secret appears in anything CertDaemon prints.
/// </summary>
public sealed class SecretsNeverLoggedTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("json")]
    [InlineData("text")]
    public async Task Nothing_secret_reaches_the_output_of_a_verbose_issuance(string logFormat)
    {
        var hmacKey = Base64Url(RandomNumberGenerator.GetBytes(32));
        await using var testbed = await CliTestbed.StartAsync(["example.test", "*.example.test"], config =>
        {
            var acme = (Dictionary<string, object?>)config["Acme"]!;
            acme["ExternalAccountBinding"] = new Dictionary<string, object?> { ["KeyId"] = "kid-1", ["HmacKey"] = hmacKey };
            config["Serilog"] = new Dictionary<string, object?> { ["MinimumLevel"] = new Dictionary<string, object?> { ["Default"] = "Verbose" } };
        }, new PebbleOptions { NonceRejectPercent = 20, ExternalAccountMacKeys = new Dictionary<string, string> { ["kid-1"] = hmacKey } });

        await FailureReport.WithLogsAsync(output, () => testbed.Logs, async () =>
        {
            var result = await testbed.RunAsync("issue", CliTestbed.CertificateName, "--log-format", logFormat);
            output.WriteLine(result.ToString());
            Assert.Equal(0, result.ExitCode);
            var everything = result.Output + result.Error;
            Assert.Contains("CertificateIssued", everything, StringComparison.Ordinal);

            var certificateKey = await File.ReadAllTextAsync(Path.Combine(testbed.LiveDirectory, "privkey.pem"));
            var accountKeys = Directory.GetFiles(testbed.StateDirectory, "private_key.pem", SearchOption.AllDirectories);
            Assert.NotEmpty(accountKeys);
            var secrets = new List<string> { hmacKey, Route53EmulatorOptions.DefaultCredential.SecretAccessKey, "PRIVATE KEY" };
            foreach (var pem in accountKeys.Select(File.ReadAllText).Append(certificateKey))
            {
                // Every line of the base64 body: a key must not leak in pieces either.
                secrets.AddRange(pem.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Where(line => !line.StartsWith("-----", StringComparison.Ordinal) && line.Length >= 16));
            }

            foreach (var secret in secrets)
            {
                Assert.False(everything.Contains(secret, StringComparison.Ordinal), $"the output contains a secret ({secret[..Math.Min(8, secret.Length)]}...)");
            }
        });
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
