using System.Net;
using Amazon.Runtime;
using CertDaemon.Aws;
using CertDaemon.Aws.Route53;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Tests.Aws;

/// <summary>Answers moto never gives: a proxy's HTML page, a wrong document, a missing element.</summary>
public sealed class Route53ClientResponseTests
{
    private static Route53Client Client(HttpStatusCode status, string body, string mediaType = "text/xml") =>
        Route53Client.Create(
            new Uri("https://route53.test.invalid"),
            new BasicAWSCredentials("AKIDFORMATTEST", "secret"),
            new AwsRequestRateLimiter(1000, 1000),
            new AwsRetryOptions { MaxAttempts = 1 },
            TimeProvider.System,
            NullLogger.Instance,
            new ScriptedHandler(TimeProvider.System, (_, _) => new HttpResponseMessage(status) { Content = new StringContent(body, System.Text.Encoding.UTF8, mediaType) }));

    [Fact]
    public async Task Html_error_page_is_a_format_error_showing_the_body()
    {
        using var client = Client(HttpStatusCode.BadGateway, "<html><body>502 Bad Gateway</body></html>", "text/html");

        var ex = await Assert.ThrowsAsync<AwsResponseFormatException>(() => client.GetChangeAsync("C1", CancellationToken.None));

        Assert.Equal(AwsResponseFormatException.UnexpectedResponseCode, ex.Code);
        Assert.Equal(HttpStatusCode.BadGateway, ex.StatusCode);
        Assert.Contains("502 Bad Gateway", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Success_that_is_not_xml_is_a_format_error()
    {
        using var client = Client(HttpStatusCode.OK, "{\"not\":\"xml\"}", "application/json");

        var ex = await Assert.ThrowsAsync<AwsResponseFormatException>(() => client.GetChangeAsync("C1", CancellationToken.None));

        Assert.Contains("not XML", ex.Problem, StringComparison.Ordinal);
        Assert.Equal("GetChange", ex.Operation);
    }

    [Fact]
    public async Task Wrong_document_names_what_was_expected()
    {
        using var client = Client(HttpStatusCode.OK, "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>");

        var ex = await Assert.ThrowsAsync<AwsResponseFormatException>(() => client.GetHostedZoneAsync("Z1", CancellationToken.None));

        Assert.Contains("GetHostedZoneResponse", ex.Problem, StringComparison.Ordinal);
        Assert.Contains("ListBucketResult", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_element_is_named()
    {
        using var client = Client(HttpStatusCode.OK,
            "<GetChangeResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ChangeInfo><Id>C1</Id><SubmittedAt>2026-01-01T00:00:00Z</SubmittedAt></ChangeInfo></GetChangeResponse>");

        var ex = await Assert.ThrowsAsync<AwsResponseFormatException>(() => client.GetChangeAsync("C1", CancellationToken.None));

        Assert.Contains("<Status>", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_id_falls_back_to_the_header()
    {
        var transport = new ScriptedHandler(TimeProvider.System, (_, _) =>
        {
            var response = ScriptedHandler.Xml(HttpStatusCode.BadRequest,
                "<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type><Code>InvalidInput</Code><Message>bad name</Message></Error></ErrorResponse>");
            response.Headers.Add("x-amzn-RequestId", "header-request-id");
            return response;
        });
        using var client = Route53Client.Create(new Uri("https://route53.test.invalid"), new BasicAWSCredentials("AKIDFORMATTEST", "secret"),
            new AwsRequestRateLimiter(1000, 1000), AwsRetryOptions.Default, TimeProvider.System, NullLogger.Instance, transport);

        var ex = await Assert.ThrowsAsync<AwsServiceException>(() => client.ListHostedZonesByNameAsync("a.test.", 1, CancellationToken.None));

        Assert.Equal("InvalidInput", ex.Code);
        Assert.Equal("header-request-id", ex.RequestId);
    }
}
