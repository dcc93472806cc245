using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CertDaemon.Testbed.Acme;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Testbed;

/// <summary>
/// The ARI/profiles proxy in front of a real pebble 2.4.0, driven with plain HTTP and hand-made JWS (not the product's
/// ACME client), so the ACME client's ARI and profile tests can rely on it.
/// </summary>
public sealed class AcmeExtensionsProxyTests(StrictNoncePebbleFixture pebble, ITestOutputHelper output) : IClassFixture<StrictNoncePebbleFixture>
{
    [Fact]
    public async Task Directory_adds_renewalInfo_and_profiles_and_pebble_endpoints_point_at_the_proxy() => await RunAsync(async (proxy, http) =>
    {
        proxy.Profiles = new Dictionary<string, string> { ["classic"] = "90 days", ["shortlived"] = "6 days" };

        using var response = await http.GetAsync(proxy.DirectoryUrl);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var directory = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        var proxyAuthority = proxy.DirectoryUrl.GetLeftPart(UriPartial.Authority);
        Assert.NotEqual(pebble.Server.DirectoryUrl.GetLeftPart(UriPartial.Authority), proxyAuthority);
        foreach (var endpoint in new[] { "newNonce", "newAccount", "newOrder", "revokeCert", "keyChange" })
        {
            Assert.StartsWith(proxyAuthority + "/", (string)directory[endpoint]!, StringComparison.Ordinal);
        }

        Assert.Equal(proxy.RenewalInfoUrl.AbsoluteUri, (string)directory["renewalInfo"]!);
        Assert.Equal(proxyAuthority + "/renewal-info", proxy.RenewalInfoUrl.AbsoluteUri);
        var profiles = directory["meta"]!["profiles"]!.AsObject();
        Assert.Equal(["classic", "shortlived"], profiles.Select(p => p.Key).Order());
        Assert.Equal("6 days", (string)profiles["shortlived"]!);
        Assert.NotNull(directory["meta"]!["termsOfService"]);

        proxy.EnableRenewalInfo = false;
        proxy.Profiles = new Dictionary<string, string>();
        var plain = JsonNode.Parse(await http.GetStringAsync(proxy.DirectoryUrl))!;
        Assert.Null(plain["renewalInfo"]);
        Assert.Null(plain["meta"]!["profiles"]);
        Assert.StartsWith(proxyAuthority + "/", (string)plain["newOrder"]!, StringComparison.Ordinal);
    });

    [Fact]
    public async Task Renewal_info_answers_the_window_set_with_retry_after_and_404_for_unknown_certificates()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await RunAsync(time, async (proxy, http) =>
        {
            var start = new DateTimeOffset(2026, 3, 10, 8, 30, 0, TimeSpan.Zero);
            proxy.SetRenewalWindow("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", start, start.AddDays(2), new Uri("https://example.test/why"), TimeSpan.FromHours(3));

            using var response = await http.GetAsync(new Uri(proxy.RenewalInfoUrl + "/aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(TimeSpan.FromHours(3), response.Headers.RetryAfter?.Delta);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var window = body.RootElement.GetProperty("suggestedWindow");
            Assert.Equal("2026-03-10T08:30:00Z", window.GetProperty("start").GetString());
            Assert.Equal("2026-03-12T08:30:00Z", window.GetProperty("end").GetString());
            Assert.Equal("https://example.test/why", body.RootElement.GetProperty("explanationURL").GetString());

            using var unknown = await http.GetAsync(new Uri(proxy.RenewalInfoUrl + "/AAAA.BBBB"));
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);

            time.Advance(TimeSpan.FromMinutes(5));
            proxy.SetRenewalWindow(null, start, start.AddHours(1));
            using var byDefault = await http.GetAsync(new Uri(proxy.RenewalInfoUrl + "/AAAA.BBBB"));
            Assert.Equal(HttpStatusCode.OK, byDefault.StatusCode);
            Assert.Equal(AcmeExtensionsProxy.DefaultRetryAfter, byDefault.Headers.RetryAfter?.Delta);
            using var defaultBody = JsonDocument.Parse(await byDefault.Content.ReadAsStringAsync());
            Assert.False(defaultBody.RootElement.TryGetProperty("explanationURL", out _));

            Assert.Equal(
                [
                    new RenewalInfoRequest("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", time.Start, HttpStatusCode.OK),
                    new RenewalInfoRequest("AAAA.BBBB", time.Start, HttpStatusCode.NotFound),
                    new RenewalInfoRequest("AAAA.BBBB", time.Start.AddMinutes(5), HttpStatusCode.OK),
                ],
                proxy.RenewalInfoRequests);

            proxy.EnableRenewalInfo = false;
            using var disabled = await http.GetAsync(new Uri(proxy.RenewalInfoUrl + "/AAAA.BBBB"));
            Assert.Equal(HttpStatusCode.NotFound, disabled.StatusCode);
        });
    }

    [Fact]
    public async Task New_nonce_head_is_forwarded_with_replay_nonce_and_links_to_the_proxy_directory() => await RunAsync(async (proxy, http) =>
    {
        var newNonce = await EndpointAsync(http, proxy, "newNonce");
        using var request = new HttpRequestMessage(HttpMethod.Head, newNonce);
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(string.IsNullOrEmpty(response.Headers.GetValues("Replay-Nonce").Single()));
        Assert.Contains($"<{proxy.DirectoryUrl.AbsoluteUri}>;rel=\"index\"", response.Headers.GetValues("Link"));
    });

    [Fact]
    public async Task Unsigned_new_order_is_recorded_with_profile_and_replaces_then_forwarded_and_rejected_by_pebble() => await RunAsync(async (proxy, http) =>
    {
        var newOrder = await EndpointAsync(http, proxy, "newOrder");
        var header = new JsonObject { ["alg"] = "ES256", ["nonce"] = "bogus", ["url"] = newOrder.AbsoluteUri, ["kid"] = newOrder.AbsoluteUri + "/nobody" };
        var payload = new JsonObject
        {
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "dns", ["value"] = "a.test" }, new JsonObject { ["type"] = "dns", ["value"] = "*.a.test" }),
            ["profile"] = "shortlived",
            ["replaces"] = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE",
        };

        using var response = await RawJwsAccount.PostJwsAsync(
            http, newOrder, Encode(header), Encode(payload), Base64Url.EncodeToString(new byte[64]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("urn:ietf:params:acme:error:", problem.RootElement.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.True(response.Headers.Contains("Replay-Nonce"));

        var order = Assert.Single(proxy.Orders);
        Assert.Equal([new RecordedIdentifier("dns", "a.test"), new RecordedIdentifier("dns", "*.a.test")], order.Identifiers);
        Assert.Equal("shortlived", order.Profile);
        Assert.Equal("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", order.Replaces);
        Assert.Equal(HttpStatusCode.BadRequest, order.StatusCode);
    });

    [Fact]
    public async Task Signed_orders_with_profile_and_replaces_pass_pebbles_url_check_and_alreadyReplaced_answers_409_with_a_usable_nonce() =>
        await RunAsync(async (proxy, http) =>
        {
            using var account = new RawJwsAccount(http, await EndpointAsync(http, proxy, "newNonce"));
            await account.RegisterAsync(await EndpointAsync(http, proxy, "newAccount"));
            Assert.StartsWith(proxy.DirectoryUrl.GetLeftPart(UriPartial.Authority) + "/", account.AccountUrl!.AbsoluteUri, StringComparison.Ordinal);
            var newOrder = await EndpointAsync(http, proxy, "newOrder");

            // pebble 2.4.0 ignores the unknown "profile" and "replaces" fields and accepts the JWS url through the proxy.
            using (var accepted = await account.PostAsync(newOrder, Order("b.test", profile: "classic", replaces: "old.one")))
            {
                Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
                Assert.StartsWith(proxy.DirectoryUrl.GetLeftPart(UriPartial.Authority) + "/", accepted.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
                var order = JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!;
                Assert.StartsWith(proxy.DirectoryUrl.GetLeftPart(UriPartial.Authority) + "/", (string)order["finalize"]!, StringComparison.Ordinal);
            }

            proxy.ArmAlreadyReplaced("AAAA.BBBB");
            using (var conflict = await account.PostAsync(newOrder, Order("b.test", profile: null, replaces: "AAAA.BBBB")))
            {
                Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
                Assert.Equal("application/problem+json", conflict.Content.Headers.ContentType?.MediaType);
                using var problem = JsonDocument.Parse(await conflict.Content.ReadAsStringAsync());
                Assert.Equal("urn:ietf:params:acme:error:alreadyReplaced", problem.RootElement.GetProperty("type").GetString());
                Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("detail").GetString()));
                Assert.NotNull(account.Nonce);
            }

            // The client's retry without "replaces" uses the nonce from the 409 (pebble rejects unknown nonces: 0% random rejection here).
            using (var retried = await account.PostAsync(newOrder, Order("b.test", profile: null, replaces: null)))
            {
                Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
            }

            // Other replaces values are forwarded until everything is armed.
            using (var other = await account.PostAsync(newOrder, Order("c.test", profile: null, replaces: "CCCC.DDDD")))
            {
                Assert.Equal(HttpStatusCode.Created, other.StatusCode);
            }

            proxy.ArmAlreadyReplaced();
            using (var any = await account.PostAsync(newOrder, Order("c.test", profile: null, replaces: "CCCC.DDDD")))
            {
                Assert.Equal(HttpStatusCode.Conflict, any.StatusCode);
            }

            Assert.Equal(
                [
                    ("old.one", HttpStatusCode.Created),
                    ("AAAA.BBBB", HttpStatusCode.Conflict),
                    (null, HttpStatusCode.Created),
                    ("CCCC.DDDD", HttpStatusCode.Created),
                    ("CCCC.DDDD", HttpStatusCode.Conflict),
                ],
                proxy.Orders.Select(o => (o.Replaces, o.StatusCode)));
            Assert.Equal("classic", proxy.Orders[0].Profile);
            Assert.Equal([new RecordedIdentifier("dns", "b.test")], proxy.Orders[0].Identifiers);
        });

    [Fact]
    public async Task Rejected_and_unlisted_profiles_are_answered_invalidProfile_with_a_nonce() => await RunAsync(async (proxy, http) =>
    {
        var newOrder = await EndpointAsync(http, proxy, "newOrder");
        proxy.Profiles = new Dictionary<string, string> { ["classic"] = "90 days", ["shortlived"] = "6 days" };
        proxy.RejectProfile("shortlived");
        proxy.RejectUnlistedProfiles = true;

        foreach (var profile in new[] { "shortlived", "tlsserver" })
        {
            using var response = await RawJwsAccount.PostJwsAsync(
                http, newOrder, Encode(new JsonObject { ["alg"] = "ES256" }), Encode(Order("d.test", profile, replaces: null)), "AAAA");

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("urn:ietf:params:acme:error:invalidProfile", problem.RootElement.GetProperty("type").GetString());
            Assert.True(response.Headers.Contains("Replay-Nonce"));
        }

        Assert.Equal(["shortlived", "tlsserver"], proxy.Orders.Select(o => o.Profile));
    });

    private Task RunAsync(Func<AcmeExtensionsProxy, HttpClient, Task> body) => RunAsync(null, body);

    private async Task RunAsync(TimeProvider? time, Func<AcmeExtensionsProxy, HttpClient, Task> body)
    {
        await using var proxy = await AcmeExtensionsProxy.StartAsync(pebble.Server, time);
        using var http = pebble.Server.CreateHttpClient();
        await FailureReport.WithLogsAsync(output, () => pebble.Server.Logs, () => body(proxy, http));
    }

    private static async Task<Uri> EndpointAsync(HttpClient http, AcmeExtensionsProxy proxy, string name)
    {
        using var directory = JsonDocument.Parse(await http.GetStringAsync(proxy.DirectoryUrl));
        return new Uri(directory.RootElement.GetProperty(name).GetString()!);
    }

    private static JsonObject Order(string name, string? profile, string? replaces)
    {
        var order = new JsonObject { ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "dns", ["value"] = name }) };
        if (profile is not null)
        {
            order["profile"] = profile;
        }

        if (replaces is not null)
        {
            order["replaces"] = replaces;
        }

        return order;
    }

    private static string Encode(JsonObject json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));
}
