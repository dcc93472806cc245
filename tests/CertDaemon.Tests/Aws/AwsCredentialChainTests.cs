using System.Net;
using Amazon.Runtime;
using CertDaemon.Aws;
using CertDaemon.Aws.Route53;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Tests.Aws;

[Collection(AwsEnvironmentCollection.Name)]
public sealed class AwsCredentialChainTests : IDisposable
{
    public AwsCredentialChainTests()
    {
        File.WriteAllText(AwsTestEnvironment.SharedCredentialsFile, string.Empty);
        File.WriteAllText(AwsTestEnvironment.ConfigFile, string.Empty);
    }

    public void Dispose()
    {
        File.WriteAllText(AwsTestEnvironment.SharedCredentialsFile, string.Empty);
        File.WriteAllText(AwsTestEnvironment.ConfigFile, string.Empty);
    }

    [Fact]
    public async Task Environment_variables_are_resolved()
    {
        using var env = new EnvironmentScope().ClearCredentialSources()
            .Set("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRONMENT1")
            .Set("AWS_SECRET_ACCESS_KEY", "env-secret");

        var credentials = await AwsCredentialChain.ResolveAsync(CancellationToken.None);
        var resolved = await credentials.GetCredentialsAsync();

        Assert.Equal("AKIDFROMENVIRONMENT1", resolved.AccessKey);
        Assert.Equal("env-secret", resolved.SecretKey);
    }

    [Fact]
    public async Task Named_profile_in_the_shared_credentials_file_is_resolved()
    {
        using var env = new EnvironmentScope().ClearCredentialSources().Set("AWS_PROFILE", "certdaemon-test");
        await File.WriteAllTextAsync(AwsTestEnvironment.SharedCredentialsFile,
            "[other]\naws_access_key_id = AKIDWRONGPROFILE0000\naws_secret_access_key = wrong\n\n" +
            "[certdaemon-test]\naws_access_key_id = AKIDFROMPROFILE00001\naws_secret_access_key = profile-secret\n");

        var credentials = await AwsCredentialChain.ResolveAsync(CancellationToken.None);
        var resolved = await credentials.GetCredentialsAsync();

        Assert.Equal("AKIDFROMPROFILE00001", resolved.AccessKey);
        Assert.Equal("profile-secret", resolved.SecretKey);
    }

    [Fact]
    public async Task Nothing_found_names_every_source_that_was_tried()
    {
        using var env = new EnvironmentScope().ClearCredentialSources();

        var ex = await Assert.ThrowsAsync<AwsCredentialsNotFoundException>(() => AwsCredentialChain.ResolveAsync(CancellationToken.None));

        Assert.Contains("AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY", ex.Message, StringComparison.Ordinal);
        Assert.Contains("web identity", ex.Message, StringComparison.Ordinal);
        Assert.Contains("profile 'default'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(AwsTestEnvironment.SharedCredentialsFile, ex.Message, StringComparison.Ordinal);
        Assert.Contains(AwsTestEnvironment.ConfigFile, ex.Message, StringComparison.Ordinal);
        Assert.Contains("container credentials", ex.Message, StringComparison.Ordinal);
        Assert.Contains("EC2 instance metadata", ex.Message, StringComparison.Ordinal);
        Assert.Contains("disabled by AWS_EC2_METADATA_DISABLED=true", ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<AmazonClientException>(ex.InnerException);
    }

    [Fact]
    public async Task Factory_clients_resolve_the_chain_at_first_request_and_sign_with_it()
    {
        using var env = new EnvironmentScope().ClearCredentialSources();
        var transport = new ScriptedHandler(TimeProvider.System, (_, _) => ScriptedHandler.Xml(HttpStatusCode.OK,
            "<GetChangeResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ChangeInfo><Id>C1</Id><Status>INSYNC</Status><SubmittedAt>2026-01-01T00:00:00Z</SubmittedAt></ChangeInfo></GetChangeResponse>"));
        using var factory = new Route53ClientFactory(
            new Route53ClientFactoryOptions { Endpoint = new Uri("https://route53.test.invalid") },
            new AwsRequestRateLimiter(1000, 1000),
            TimeProvider.System,
            NullLogger<Route53ClientFactory>.Instance,
            transport: () => transport);

        // Create does no I/O: no credentials yet is not an error until a request needs them.
        var client = factory.Create();
        Assert.Same(client, factory.Create(roleArn: null));
        Assert.NotSame(client, factory.Create("arn:aws:iam::123456789012:role/dns"));

        await Assert.ThrowsAsync<AwsCredentialsNotFoundException>(() => client.GetChangeAsync("C1", CancellationToken.None));
        Assert.Empty(transport.Seen);

        env.Set("AWS_ACCESS_KEY_ID", "AKIDLATEARRIVAL00001").Set("AWS_SECRET_ACCESS_KEY", "late-secret");
        var change = await client.GetChangeAsync("C1", CancellationToken.None);

        Assert.Equal(ChangeStatus.InSync, change.Status);
        Assert.Contains("Credential=AKIDLATEARRIVAL00001/", Assert.Single(transport.Seen).Authorization, StringComparison.Ordinal);
    }
}
