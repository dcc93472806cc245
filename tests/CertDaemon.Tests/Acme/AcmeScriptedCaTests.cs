using CertDaemon.Acme;
using Microsoft.Extensions.Time.Testing;

using CertDaemon.Tests.Testbed;

namespace CertDaemon.Tests.Acme;

/// <summary>
/// CA behaviour pebble 2.4.0 cannot produce: garbage answers, rate limits, problem subproblems, ARI and profiles,
/// served by a scripted local HTTP server.
/// </summary>
public sealed class AcmeScriptedCaTests
{
    private const string ProblemJson = "application/problem+json";

    [Theory]
    [InlineData("dir")]
    [InlineData("/dir")]
    [InlineData("ftp://ca.example/dir")]
    [InlineData("file:///etc/passwd")]
    public void A_directory_url_that_is_not_absolute_http_is_refused_up_front(string url)
    {
        using var key = AccountKey.Generate();
        using var http = new HttpClient();

        var error = Assert.Throws<ArgumentException>(() =>
            new AcmeClient(http, new Uri(url, UriKind.RelativeOrAbsolute), key, TimeProvider.System, new CapturingLogger<AcmeClient>()));

        Assert.Equal("directoryUrl", error.ParamName);
        Assert.Contains(url, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_that_is_html_is_a_protocol_error_naming_the_url_and_the_content_type()
    {
        await using var server = new ScriptedHttpServer((_, response) =>
            ScriptedHttpServer.WriteAsync(response, 200, "text/html", "<html><body>Welcome to nginx!</body></html>"));
        using var key = AccountKey.Generate();
        using var client = AcmeTestClient.Create(server.DirectoryUrl, new HttpClientHandler(), key);

        var error = await Assert.ThrowsAsync<AcmeProtocolException>(() => client.Client.GetDirectoryAsync(CancellationToken.None));

        Assert.Equal(server.DirectoryUrl, error.RequestUrl);
        Assert.Contains(server.DirectoryUrl.AbsoluteUri, error.Message, StringComparison.Ordinal);
        Assert.Contains("text/html", error.Message, StringComparison.Ordinal);
        Assert.Contains("Welcome to nginx", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"newNonce\": ", "invalid")]
    [InlineData("{\"newAccount\":\"http://x/a\",\"newOrder\":\"http://x/o\"}", "newNonce")]
    [InlineData("null", "null")]
    public async Task A_directory_with_broken_json_is_a_protocol_error_saying_what_is_wrong(string body, string expected)
    {
        await using var server = new ScriptedHttpServer((_, response) => ScriptedHttpServer.WriteAsync(response, 200, "application/json", body));
        using var key = AccountKey.Generate();
        using var client = AcmeTestClient.Create(server.DirectoryUrl, new HttpClientHandler(), key);

        var error = await Assert.ThrowsAsync<AcmeProtocolException>(() => client.Client.GetDirectoryAsync(CancellationToken.None));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(server.DirectoryUrl.AbsoluteUri, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_nonce_answer_without_replay_nonce_is_a_protocol_error()
    {
        await using var server = new ScriptedHttpServer(async (request, response) =>
        {
            if (request.Path == "/dir")
            {
                await ScriptedHttpServer.WriteAsync(response, 200, "application/json", DirectoryFor(request));
            }
            else
            {
                response.StatusCode = 200;
            }
        });
        using var key = AccountKey.Generate();
        using var client = AcmeTestClient.Create(server.DirectoryUrl, new HttpClientHandler(), key);

        var error = await Assert.ThrowsAsync<AcmeProtocolException>(() => client.Client.FindAccountAsync(CancellationToken.None));

        Assert.Contains("Replay-Nonce", error.Message, StringComparison.Ordinal);
        Assert.Equal(new Uri(server.BaseUrl, "nonce"), error.RequestUrl);
    }

    [Theory]
    [InlineData("120", false)]
    [InlineData("Sat, 01 Jan 2000 00:10:00 GMT", true)]
    public async Task Rate_limited_is_raised_once_with_retry_after_and_never_retried(string retryAfter, bool isDate)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = new ScriptedHttpServer(async (request, response) =>
        {
            if (!ScriptedHttpServer.TryAnswerNonce(request, response))
            {
                await (request.Path == "/dir"
                    ? ScriptedHttpServer.WriteAsync(response, 200, "application/json", DirectoryFor(request))
                    : ScriptedHttpServer.WriteAsync(response, 429, ProblemJson,
                        """{"type":"urn:ietf:params:acme:error:rateLimited","detail":"too many new orders (300) from this account in the last 3h0m0s","status":429}""",
                        ("Retry-After", retryAfter), ("Replay-Nonce", "bm9uY2Uy")));
            }
        });
        using var key = AccountKey.Generate();
        using var client = AcmeTestClient.Create(server.DirectoryUrl, new HttpClientHandler(), key, time: time);
        client.Client.AccountUrl = new Uri(server.BaseUrl, "acct/1");

        var error = await Assert.ThrowsAsync<RateLimitedException>(() =>
            client.Client.NewOrderAsync(new NewOrderOptions { DnsNames = ["a.example.test"] }, CancellationToken.None));

        var expected = isDate ? new DateTimeOffset(2000, 1, 1, 0, 10, 0, TimeSpan.Zero) : time.GetUtcNow().AddSeconds(120);
        Assert.Equal(expected, error.RetryAfter);
        Assert.Equal(429, error.HttpStatus);
        Assert.Contains("too many new orders", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests, r => r.Path == "/order");
        Assert.Equal(1, client.Logger.Count("AcmeRateLimited"));
    }

    [Fact]
    public async Task Subproblems_are_kept_and_their_identifiers_named_in_the_message()
    {
        await using var server = new ScriptedHttpServer(async (request, response) =>
        {
            if (!ScriptedHttpServer.TryAnswerNonce(request, response))
            {
                await (request.Path == "/dir"
                    ? ScriptedHttpServer.WriteAsync(response, 200, "application/json", DirectoryFor(request))
                    : ScriptedHttpServer.WriteAsync(response, 403, ProblemJson, """
                        {"type":"urn:ietf:params:acme:error:malformed","detail":"Some of the identifiers requested were rejected","status":403,
                         "subproblems":[
                           {"type":"urn:ietf:params:acme:error:malformed","detail":"Invalid underscore in DNS name","identifier":{"type":"dns","value":"_example.org"}},
                           {"type":"urn:ietf:params:acme:error:rejectedIdentifier","detail":"This CA will not issue for \"example.net\"","identifier":{"type":"dns","value":"example.net"}}]}
                        """));
            }
        });
        using var key = AccountKey.Generate();
        using var client = AcmeTestClient.Create(server.DirectoryUrl, new HttpClientHandler(), key);
        client.Client.AccountUrl = new Uri(server.BaseUrl, "acct/1");

        var error = await Assert.ThrowsAsync<AcmeProblemException>(() =>
            client.Client.NewOrderAsync(new NewOrderOptions { DnsNames = ["_example.org", "example.net", "www.example.com"] }, CancellationToken.None));

        Assert.Equal(2, error.Subproblems.Count);
        Assert.Equal(AcmeIdentifier.Dns("example.net"), error.Subproblems[1].Identifier);
        Assert.Equal(AcmeErrorTypes.RejectedIdentifier, error.Subproblems[1].Type);
        Assert.Contains("dns:_example.org: malformed: Invalid underscore in DNS name", error.Message, StringComparison.Ordinal);
        Assert.Contains("dns:example.net: rejectedIdentifier", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_error_page_instead_of_a_problem_document_is_a_protocol_error_with_the_status()
    {
        await using var server = new ScriptedHttpServer(async (request, response) =>
        {
            if (!ScriptedHttpServer.TryAnswerNonce(request, response))
            {
                await (request.Path == "/dir"
                    ? ScriptedHttpServer.WriteAsync(response, 200, "application/json", DirectoryFor(request))
                    : ScriptedHttpServer.WriteAsync(response, 502, "text/html", "<h1>502 Bad Gateway</h1>"));
            }
        });
        using var key = AccountKey.Generate();
        using var client = AcmeTestClient.Create(server.DirectoryUrl, new HttpClientHandler(), key);

        var error = await Assert.ThrowsAsync<AcmeProtocolException>(() => client.Client.FindAccountAsync(CancellationToken.None));

        Assert.Contains("HTTP 502", error.Message, StringComparison.Ordinal);
        Assert.Contains(new Uri(server.BaseUrl, "account").AbsoluteUri, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Renewal_info_is_a_plain_get_of_the_certid_parsed_with_its_window_explanation_and_retry_after()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = new ScriptedHttpServer(async (request, response) =>
        {
            await (request.Path == "/dir"
                ? ScriptedHttpServer.WriteAsync(response, 200, "application/json", DirectoryFor(request, $$""","renewalInfo":"http://{{HostOf(request)}}/renewal-info" """))
                : ScriptedHttpServer.WriteAsync(response, 200, "application/json", """
                    {"suggestedWindow":{"start":"2025-01-02T04:00:00Z","end":"2025-01-03T04:00:00Z"},"explanationURL":"https://acme.example.com/docs/ari"}
                    """, ("Retry-After", "21600")));
        });
        using var key = AccountKey.Generate();
        using var client = AcmeTestClient.Create(server.DirectoryUrl, new HttpClientHandler(), key, time: time);

        var info = await client.Client.GetRenewalInfoAsync(new AriCertificateId("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"), CancellationToken.None);

        Assert.Equal(new DateTimeOffset(2025, 1, 2, 4, 0, 0, TimeSpan.Zero), info.SuggestedWindow.Start);
        Assert.Equal(new DateTimeOffset(2025, 1, 3, 4, 0, 0, TimeSpan.Zero), info.SuggestedWindow.End);
        Assert.Equal(new Uri("https://acme.example.com/docs/ari"), info.ExplanationUrl);
        Assert.Equal(time.GetUtcNow().AddHours(6), info.RetryAfter);
        var ari = Assert.Single(server.Requests, r => r.Path.StartsWith("/renewal-info", StringComparison.Ordinal));
        Assert.Equal("GET", ari.Method);
        Assert.Equal("/renewal-info/aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", ari.Path);
    }

    [Fact]
    public async Task A_renewal_window_that_ends_before_it_starts_is_a_protocol_error()
    {
        await using var server = new ScriptedHttpServer(async (request, response) =>
        {
            await (request.Path == "/dir"
                ? ScriptedHttpServer.WriteAsync(response, 200, "application/json", DirectoryFor(request, $$""","renewalInfo":"http://{{HostOf(request)}}/ari/" """))
                : ScriptedHttpServer.WriteAsync(response, 200, "application/json", """{"suggestedWindow":{"start":"2025-01-03T00:00:00Z","end":"2025-01-02T00:00:00Z"}}"""));
        });
        using var key = AccountKey.Generate();
        using var client = AcmeTestClient.Create(server.DirectoryUrl, new HttpClientHandler(), key);

        var error = await Assert.ThrowsAsync<AcmeProtocolException>(() =>
            client.Client.GetRenewalInfoAsync(new AriCertificateId("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"), CancellationToken.None));

        Assert.Contains("suggestedWindow", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests, r => r.Path == "/ari/aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
    }

    [Fact]
    public async Task An_offered_profile_and_replaces_are_sent_in_the_order_and_already_replaced_is_typed()
    {
        await using var server = new ScriptedHttpServer(async (request, response) =>
        {
            if (ScriptedHttpServer.TryAnswerNonce(request, response))
            {
                return;
            }

            if (request.Path == "/dir")
            {
                await ScriptedHttpServer.WriteAsync(response, 200, "application/json",
                    DirectoryFor(request, ""","meta":{"profiles":{"classic":"90 days","shortlived":"6 days"}}"""));
                return;
            }

            var payload = request.JwsPayload()!.Value;
            if (payload.TryGetProperty("replaces", out _))
            {
                await ScriptedHttpServer.WriteAsync(response, 409, ProblemJson,
                    """{"type":"urn:ietf:params:acme:error:alreadyReplaced","detail":"certificate already replaced by order 42","status":409}""", ("Replay-Nonce", "bm9uY2Uz"));
                return;
            }

            await ScriptedHttpServer.WriteAsync(response, 201, "application/json", $$"""
                {"status":"pending","expires":"2025-01-08T00:00:00Z","identifiers":[{"type":"dns","value":"a.example.test"}],
                 "authorizations":["http://{{HostOf(request)}}/authz/1"],"finalize":"http://{{HostOf(request)}}/finalize/1","profile":"shortlived","status2":"ignored"}
                """, ("Location", "/order/1"), ("Replay-Nonce", "bm9uY2U0"));
        });
        using var key = AccountKey.Generate();
        using var client = AcmeTestClient.Create(server.DirectoryUrl, new HttpClientHandler(), key);
        client.Client.AccountUrl = new Uri(server.BaseUrl, "acct/1");

        var order = await client.Client.NewOrderAsync(new NewOrderOptions { DnsNames = ["a.example.test"], Profile = "shortlived" }, CancellationToken.None);
        var replaced = await Assert.ThrowsAsync<AlreadyReplacedException>(() => client.Client.NewOrderAsync(
            new NewOrderOptions { DnsNames = ["a.example.test"], Profile = "shortlived", Replaces = new AriCertificateId("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE") },
            CancellationToken.None));

        Assert.Equal(new Uri(server.BaseUrl, "order/1"), order.Url);
        Assert.Equal("shortlived", order.Profile);
        var sent = server.Requests.Where(r => r.Path == "/order").Select(r => r.JwsPayload()!.Value).ToList();
        Assert.Equal("shortlived", sent[0].GetProperty("profile").GetString());
        Assert.False(sent[0].TryGetProperty("replaces", out _));
        Assert.Equal("a.example.test", sent[0].GetProperty("identifiers")[0].GetProperty("value").GetString());
        Assert.Equal("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", sent[1].GetProperty("replaces").GetString());
        Assert.Equal(AcmeErrorTypes.AlreadyReplaced, replaced.ProblemType);
    }

    [Fact]
    public async Task An_unknown_status_value_parses_as_unknown_instead_of_failing()
    {
        await using var server = new ScriptedHttpServer(async (request, response) =>
        {
            if (!ScriptedHttpServer.TryAnswerNonce(request, response))
            {
                await (request.Path == "/dir"
                    ? ScriptedHttpServer.WriteAsync(response, 200, "application/json", DirectoryFor(request))
                    : ScriptedHttpServer.WriteAsync(response, 200, "application/json",
                        """{"identifier":{"type":"dns","value":"a.example.test"},"status":"quarantined","challenges":[]}"""));
            }
        });
        using var key = AccountKey.Generate();
        using var client = AcmeTestClient.Create(server.DirectoryUrl, new HttpClientHandler(), key);
        client.Client.AccountUrl = new Uri(server.BaseUrl, "acct/1");

        var authorization = await client.Client.GetAuthorizationAsync(new Uri(server.BaseUrl, "authz/1"), CancellationToken.None);

        Assert.Equal(AcmeStatus.Unknown, authorization.Status);
        Assert.Equal(new Uri(server.BaseUrl, "authz/1"), authorization.Url);
    }

    [Fact]
    public async Task Polling_honours_retry_after_then_backs_off_doubling_up_to_the_cap()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var polls = 0;
        await using var server = new ScriptedHttpServer(async (request, response) =>
        {
            if (ScriptedHttpServer.TryAnswerNonce(request, response))
            {
                return;
            }

            if (request.Path == "/dir")
            {
                await ScriptedHttpServer.WriteAsync(response, 200, "application/json", DirectoryFor(request));
                return;
            }

            var poll = Interlocked.Increment(ref polls);
            var status = poll < 6 ? "pending" : "valid";
            var headers = poll == 1 ? new[] { ("Retry-After", "7") } : [];
            await ScriptedHttpServer.WriteAsync(response, 200, "application/json",
                $$"""{"identifier":{"type":"dns","value":"a.example.test"},"status":"{{status}}","challenges":[]}""", headers);
        });
        using var key = AccountKey.Generate();
        using var client = AcmeTestClient.Create(server.DirectoryUrl, new HttpClientHandler(), key, time: time);
        client.Client.AccountUrl = new Uri(server.BaseUrl, "acct/1");

        var waiting = client.Client.WaitForAuthorizationAsync(new Uri(server.BaseUrl, "authz/1"), TimeSpan.FromMinutes(5), CancellationToken.None);
        for (var expectedPolls = 1; expectedPolls <= 5; expectedPolls++)
        {
            // Each poll logs the delay it chose, then sleeps on the fake clock until the test moves it.
            await WaitUntilAsync(() => client.Logger.Count("AcmePolling") >= expectedPolls);
            var delay = (long)client.Logger.Values("AcmePolling", "DelayMilliseconds")[^1]!;
            Assert.False(waiting.IsCompleted);
            // The log comes just before the sleep starts its timer: on a loaded machine the clock can be moved before
            // the timer exists, so move it again (by the same delay) until the next poll or the result shows up.
            // Moving too far cannot change the delays chosen; the 5-minute deadline leaves room for it.
            for (var moves = 0; moves < 50 && !waiting.IsCompleted && client.Logger.Count("AcmePolling") == expectedPolls; moves++)
            {
                time.Advance(TimeSpan.FromMilliseconds(delay));
                await Task.Delay(100);
            }
        }

        var authorization = await waiting;

        Assert.Equal(AcmeStatus.Valid, authorization.Status);
        Assert.Equal([7000L, 2000L, 4000L, 8000L, 10000L], client.Logger.Values("AcmePolling", "DelayMilliseconds").Cast<long>());
        Assert.Equal(6, polls);
    }

    [Fact]
    public async Task Revoking_bytes_that_are_not_a_certificate_fails_before_anything_is_sent()
    {
        await using var server = new ScriptedHttpServer((_, response) => ScriptedHttpServer.WriteAsync(response, 500, "text/plain", "unexpected"));
        using var key = AccountKey.Generate();
        using var client = AcmeTestClient.Create(server.DirectoryUrl, new HttpClientHandler(), key);
        client.Client.AccountUrl = new Uri(server.BaseUrl, "acct/1");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.Client.RevokeCertificateAsync(new byte[] { 1, 2, 3 }, RevocationReason.KeyCompromise, CancellationToken.None));

        Assert.Equal("certificateDer", error.ParamName);
        Assert.Empty(server.Requests);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "the client did not reach the expected point within 5 s");
    }

    private static string HostOf(ScriptedRequest request) => request.Host;

    private static string DirectoryFor(ScriptedRequest request, string extra = "") =>
        $$"""{"newNonce":"http://{{request.Host}}/nonce","newAccount":"http://{{request.Host}}/account","newOrder":"http://{{request.Host}}/order","revokeCert":"http://{{request.Host}}/revoke","keyChange":"http://{{request.Host}}/key-change"{{extra}}}""";
}
