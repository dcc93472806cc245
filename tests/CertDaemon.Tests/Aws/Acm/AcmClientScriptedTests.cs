using System.Net;
using System.Text;
using Amazon.Runtime;
using CertDaemon.Aws;
using CertDaemon.Aws.Acm;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Tests.Aws.Acm;

/// <summary>What moto cannot show: AWS's own error spellings, throttling, server faults, lost answers.</summary>
public sealed class AcmClientScriptedTests
{
    private static readonly AwsRetryOptions Fast = new() { MaxAttempts = 4, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) };

    private static AcmClient Client(ScriptedHandler transport) =>
        AcmClient.Create(
            "eu-west-1",
            new Uri("https://acm.eu-west-1.test.invalid/"),
            new BasicAWSCredentials("AKIDACMTEST", "secret"),
            new AwsRequestRateLimiter(1000, 1000),
            Fast,
            TimeProvider.System,
            NullLogger.Instance,
            transport);

    private static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/x-amz-json-1.1") };

    private static AcmImportRequest NewImport => new(null, "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n", "-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n", null);

    [Fact]
    public async Task Error_type_loses_its_namespace_prefix_and_is_typed()
    {
        var transport = new ScriptedHandler(TimeProvider.System, (_, _) =>
            Json(HttpStatusCode.BadRequest, """{"__type":"com.amazonaws.acm#ResourceNotFoundException","message":"Could not find certificate arn:x"}"""));
        using var client = Client(transport);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.DescribeCertificateAsync("arn:aws:acm:eu-west-1:1:certificate/x", CancellationToken.None));

        Assert.Equal("ResourceNotFoundException", error.Code);
        Assert.Equal("acm", error.Service);
        Assert.Equal("DescribeCertificate", error.Operation);
        Assert.False(error.IsRetryable);
        Assert.Single(transport.Seen);
    }

    [Fact]
    public async Task Throttling_is_retried_and_the_request_is_json_1_1_with_target()
    {
        var transport = new ScriptedHandler(TimeProvider.System, (n, _) => n <= 2
            ? Json(HttpStatusCode.BadRequest, """{"__type":"com.amazonaws.acm#ThrottlingException","message":"Rate exceeded"}""")
            : Json(HttpStatusCode.OK, """{"Certificate":{"CertificateArn":"arn:a","Serial":"00:ab:cd","NotAfter":1767225600.0,"InUseBy":["arn:lb"],"Type":"IMPORTED","KeyAlgorithm":"EC_prime256v1","DomainName":"a.test","SubjectAlternativeNames":["a.test"]}}"""));
        using var client = Client(transport);

        var detail = await client.DescribeCertificateAsync("arn:a", CancellationToken.None);

        Assert.Equal(3, transport.Seen.Count);
        Assert.Equal("abcd", detail.Serial);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), detail.NotAfter);
        Assert.Equal(["arn:lb"], detail.InUseBy);
        Assert.Equal("EC_prime256v1", detail.KeyAlgorithm);
        Assert.Equal("""{"CertificateArn":"arn:a"}""", transport.Seen[0].Body);
        Assert.Contains("/eu-west-1/acm/aws4_request", transport.Seen[0].Authorization, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_import_is_not_repeated_after_a_server_fault_but_a_re_import_is()
    {
        var transport = new ScriptedHandler(TimeProvider.System, (n, _) => Json(HttpStatusCode.InternalServerError, """{"__type":"InternalFailure","message":"boom"}"""));
        using var client = Client(transport);

        // Without an ARN a repeat after a lost answer would create a second certificate: handed back after one attempt.
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.ImportCertificateAsync(NewImport, CancellationToken.None));
        Assert.True(error.IsRetryable);
        Assert.Single(transport.Seen);

        // With an ARN the import replaces in place: idempotent, retried as usual.
        await Assert.ThrowsAsync<AwsServiceException>(() => client.ImportCertificateAsync(NewImport with { CertificateArn = "arn:a" }, CancellationToken.None));
        Assert.Equal(1 + Fast.MaxAttempts, transport.Seen.Count);
    }

    [Fact]
    public async Task A_new_import_is_repeated_after_throttling()
    {
        var transport = new ScriptedHandler(TimeProvider.System, (n, _) => n == 1
            ? Json(HttpStatusCode.BadRequest, """{"__type":"ThrottlingException","message":"Rate exceeded"}""")
            : Json(HttpStatusCode.OK, """{"CertificateArn":"arn:new"}"""));
        using var client = Client(transport);

        Assert.Equal("arn:new", await client.ImportCertificateAsync(NewImport, CancellationToken.None));
        Assert.Equal(2, transport.Seen.Count);
    }

    [Fact]
    public async Task Tags_on_a_re_import_are_refused_before_sending()
    {
        var transport = new ScriptedHandler(TimeProvider.System, (_, _) => Json(HttpStatusCode.OK, """{"CertificateArn":"arn:a"}"""));
        using var client = Client(transport);

        var request = NewImport with { CertificateArn = "arn:a", Tags = new Dictionary<string, string> { ["k"] = "v" } };
        await Assert.ThrowsAsync<ArgumentException>(() => client.ImportCertificateAsync(request, CancellationToken.None));
        Assert.Empty(transport.Seen);
    }

    [Fact]
    public async Task An_answer_in_no_acm_format_is_a_format_error()
    {
        var transport = new ScriptedHandler(TimeProvider.System, (_, _) => new HttpResponseMessage(HttpStatusCode.Forbidden) { Content = new StringContent("<html>proxy says no</html>") });
        using var client = Client(transport);

        var error = await Assert.ThrowsAsync<AwsResponseFormatException>(() => client.ListTagsForCertificateAsync("arn:a", CancellationToken.None));
        Assert.Contains("proxy says no", error.Message, StringComparison.Ordinal);
    }
}
