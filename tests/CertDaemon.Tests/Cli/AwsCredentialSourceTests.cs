using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using CertDaemon.Testbed.Imds;
using CertDaemon.Testbed.Moto;
using CertDaemon.Testbed.Route53;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Cli;

/// <summary>
/// The AWS credential sources of the SDK's chain that a box really uses, through the binary under test (the Native
/// AOT one in scripts/test.sh): an EC2 instance profile over IMDSv2, web identity, and a role chained through
/// <c>source_profile</c> in the shared config file. Each one issues a certificate, so the Route53 calls the binary
/// signs with those credentials are seen by the server that received them.
/// </summary>
public sealed class AwsCredentialSourceTests(ITestOutputHelper output)
{
    private const string AccountId = "123456789012";
    private static readonly string[] Domains = ["creds.example.test"];

    [Fact]
    public async Task Instance_profile_credentials_from_imdsv2_sign_the_route53_calls()
    {
        var instanceRole = new Route53Credential("ASIAIMDSINSTANCEROLE", "imds-instance-role-secret-0123456789abcdef", "imds-session-token-0123456789");
        await using var imds = await InstanceMetadataServer.StartAsync("certdaemon-instance", instanceRole);
        // Only the instance role's key (with its session token) passes the emulator's SigV4 check.
        await using var testbed = await CliTestbed.StartAsync(Domains, route53Credentials: [instanceRole]);
        using (var http = new HttpClient())
        {
            // The stand-in is IMDSv2 only: a GET without a session token is refused, so passing below is not IMDSv1.
            var tokenless = await http.GetAsync(new Uri(imds.Endpoint, "latest/meta-data/iam/security-credentials/"));
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, tokenless.StatusCode);
        }

        var result = await IssueAsync(testbed, new Dictionary<string, string?>
        {
            ["AWS_EC2_METADATA_DISABLED"] = "false",
            // The SDK appends /latest/... itself.
            ["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.Endpoint.ToString().TrimEnd('/'),
        });

        Assert.True(result.ExitCode == 0, result + "\nIMDS: " + string.Join("\n", imds.Requests) + "\nRoute53 signature: " + testbed.Route53.LastSignatureFailure);
        Assert.Null(testbed.Route53.LastSignatureFailure);
        Assert.NotEmpty(testbed.Route53.Requests);
        Assert.All(testbed.Route53.Requests, r => Assert.Equal((instanceRole.AccessKeyId, true), (r.AccessKeyId, r.HasSessionToken)));
        Assert.Contains("PUT /latest/api/token 200", imds.Requests);
        Assert.Contains("GET /latest/meta-data/iam/security-credentials/certdaemon-instance 200", imds.Requests);
        Assert.DoesNotContain(imds.Requests.Skip(1), r => r.EndsWith(" 401", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Web_identity_is_exchanged_at_sts_and_the_role_session_signs_the_route53_calls()
    {
        await using var moto = await MotoServer.StartAsync();
        await using var testbed = await CliTestbed.StartAsync(Domains);
        testbed.Route53.VerifySignatures = false; // STS invents the session's secret: see AssertSignedByRoleSessionAsync
        var tokenFile = Path.Combine(testbed.Root, "web-identity-token");
        await File.WriteAllTextAsync(tokenFile, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjZXJ0ZGFlbW9uIn0.c2lnbmF0dXJl");

        var result = await IssueAsync(testbed, new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL_STS"] = moto.Endpoint.ToString(),
            ["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile,
            ["AWS_ROLE_ARN"] = $"arn:aws:iam::{AccountId}:role/certdaemon-web",
            ["AWS_ROLE_SESSION_NAME"] = "certdaemon-web-session",
        });

        Assert.True(result.ExitCode == 0, result.ToString());
        await AssertSignedByRoleSessionAsync(testbed, moto, $"arn:aws:sts::{AccountId}:assumed-role/certdaemon-web/certdaemon-web-session");
    }

    [Fact]
    public async Task A_profile_role_chained_through_source_profiles_signs_the_route53_calls()
    {
        await using var moto = await MotoServer.StartAsync();
        await using var testbed = await CliTestbed.StartAsync(Domains);
        testbed.Route53.VerifySignatures = false; // STS invents the session's secret: see AssertSignedByRoleSessionAsync
        var credentialsFile = Path.Combine(testbed.Root, "aws-credentials");
        var configFile = Path.Combine(testbed.Root, "aws-config");
        await File.WriteAllTextAsync(credentialsFile, """
            [base]
            aws_access_key_id = AKIAPROFILEBASE00000
            aws_secret_access_key = profile-base-secret-0123456789abcdef
            """);
        // certdaemon -> (role certdaemon-dns) from dns-admin -> (role dns-admin) from base's static keys.
        await File.WriteAllTextAsync(configFile, $"""
            [profile dns-admin]
            role_arn = arn:aws:iam::{AccountId}:role/dns-admin
            source_profile = base

            [profile certdaemon]
            role_arn = arn:aws:iam::{AccountId}:role/certdaemon-dns
            source_profile = dns-admin
            role_session_name = certdaemon-chained
            """);

        var result = await IssueAsync(testbed, new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL_STS"] = moto.Endpoint.ToString(),
            ["AWS_PROFILE"] = "certdaemon",
            ["AWS_SHARED_CREDENTIALS_FILE"] = credentialsFile,
            ["AWS_CONFIG_FILE"] = configFile,
        });

        Assert.True(result.ExitCode == 0, result.ToString());
        await AssertSignedByRoleSessionAsync(testbed, moto, $"arn:aws:sts::{AccountId}:assumed-role/certdaemon-dns/certdaemon-chained");
    }

    /// <summary>
    /// <c>issue</c> with no static keys in the environment and no shared files of this machine: only what
    /// <paramref name="credentialSource"/> adds can sign.
    /// </summary>
    private async Task<CliProcess.Result> IssueAsync(CliTestbed testbed, Dictionary<string, string?> credentialSource)
    {
        var environment = new Dictionary<string, string?>
        {
            ["AWS_REGION"] = "us-east-1",
            ["AWS_ENDPOINT_URL_ROUTE_53"] = testbed.Route53.Endpoint.ToString(),
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(testbed.Root, "no-aws-credentials"),
            ["AWS_CONFIG_FILE"] = Path.Combine(testbed.Root, "no-aws-config"),
        };
        foreach (var (key, value) in credentialSource)
        {
            environment[key] = value;
        }

        var result = await CliProcess.RunAsync(["issue", CliTestbed.CertificateName, "--config", testbed.ConfigPath], environment);
        output.WriteLine(result.ToString());
        return result;
    }

    /// <summary>
    /// The emulator cannot check signatures made with keys STS invented, so it records the key each request was signed
    /// with; moto's STS, which issued the session, says whose it is.
    /// </summary>
    private static async Task AssertSignedByRoleSessionAsync(CliTestbed testbed, MotoServer moto, string expectedArn)
    {
        Assert.NotEmpty(testbed.Route53.Requests);
        Assert.All(testbed.Route53.Requests, r => Assert.True(r.HasSessionToken, $"{r.Operation} was signed without a session token"));
        var key = Assert.Single(testbed.Route53.Requests.Select(r => r.AccessKeyId).Distinct());
        Assert.NotNull(key);

        using var sts = new AmazonSecurityTokenServiceClient(
            new BasicAWSCredentials(key, "moto-does-not-check-signatures"), new AmazonSecurityTokenServiceConfig { ServiceURL = moto.Endpoint.ToString() });
        var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        Assert.Equal(expectedArn, identity.Arn);
    }
}
