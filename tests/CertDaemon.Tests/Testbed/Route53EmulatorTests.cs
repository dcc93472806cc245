using System.Globalization;
using System.Net;
using System.Security;
using System.Text;
using System.Xml.Linq;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;
using DnsClient;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Testbed;

/// <summary>The Route53 emulator over raw HTTP + XML, signed by AWSSDK.Core's own SigV4 handler (the product's signer).</summary>
public sealed class Route53EmulatorTests(ITestOutputHelper output)
{
    private static readonly XNamespace Ns = "https://route53.amazonaws.com/doc/2013-04-01/";
    private static readonly Route53Credential Key = new("AKIATESTR53EMULATOR1", "emulator-tests-secret-key-0123456789ABCDEF");

    private static Route53EmulatorOptions Options(TimeSpan? inSyncDelay = null) =>
        new() { Credentials = [Key], InSyncDelay = inSyncDelay ?? TimeSpan.FromMilliseconds(300) };

    [Fact]
    public async Task Signed_requests_are_accepted_and_unsigned_tampered_or_unknown_key_requests_get_403()
    {
        await using var emulator = await Route53Emulator.StartAsync(Options());
        var zoneId = emulator.AddHostedZone("sig.test");
        using var signed = Signed(emulator);

        using (var ok = await signed.GetAsync(new Uri($"2013-04-01/hostedzone/{zoneId}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.True(ok.Headers.Contains("x-amzn-RequestId"));
        }

        using var unsigned = new HttpClient { BaseAddress = emulator.Endpoint };
        await AssertErrorAsync(await unsigned.GetAsync(new Uri($"2013-04-01/hostedzone/{zoneId}", UriKind.Relative)), HttpStatusCode.Forbidden, "MissingAuthenticationToken");

        using var wrongSecret = Signed(emulator, Key with { SecretAccessKey = "not-the-secret" });
        await AssertErrorAsync(await wrongSecret.GetAsync(new Uri($"2013-04-01/hostedzone/{zoneId}", UriKind.Relative)), HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
        Assert.Contains("canonical request", emulator.LastSignatureFailure, StringComparison.Ordinal);

        using var unknownKey = Signed(emulator, new Route53Credential("AKIAUNKNOWNKEY000000", Key.SecretAccessKey));
        await AssertErrorAsync(await unknownKey.GetAsync(new Uri($"2013-04-01/hostedzone/{zoneId}", UriKind.Relative)), HttpStatusCode.Forbidden, "InvalidClientTokenId");

        // The body is changed after the signer hashed it: the signature no longer covers what arrives.
        using var tampering = Signed(emulator, inner: new TamperingHandler(new SocketsHttpHandler()));
        using var tampered = await tampering.PostAsync(RrsetUri(zoneId), Xml(ChangeBatch(("UPSERT", "a.sig.test", "TXT", 60, ["\"x\""]))));
        await AssertErrorAsync(tampered, HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
        Assert.Empty(emulator.GetTxtValues("a.sig.test"));
        Assert.Empty(emulator.GetTxtValues("tampered.sig.test"));

        // Query strings are part of the signature too.
        using (var list = await signed.GetAsync(new Uri("2013-04-01/hostedzonesbyname?dnsname=sig.test&maxitems=1", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        }

        Assert.Equal(new Route53OperationStats(4, 1), emulator.GetStats(Route53Operation.GetHostedZone));
    }

    [Fact]
    public async Task Signature_check_can_be_switched_off()
    {
        await using var emulator = await Route53Emulator.StartAsync(Options() with { VerifySignatures = false });
        var zoneId = emulator.AddHostedZone("nosig.test");
        using var unsigned = new HttpClient { BaseAddress = emulator.Endpoint };
        using var response = await unsigned.GetAsync(new Uri($"2013-04-01/hostedzone/{zoneId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        emulator.VerifySignatures = true;
        await AssertErrorAsync(await unsigned.GetAsync(new Uri($"2013-04-01/hostedzone/{zoneId}", UriKind.Relative)), HttpStatusCode.Forbidden, "MissingAuthenticationToken");
    }

    [Fact]
    public async Task Change_is_pending_until_the_in_sync_delay_has_passed_then_insync()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var emulator = await Route53Emulator.StartAsync(Options(TimeSpan.FromSeconds(2)), timeProvider: time);
        var zoneId = emulator.AddHostedZone("sync.test");
        using var http = Signed(emulator);

        using var post = await http.PostAsync(RrsetUri(zoneId), Xml(ChangeBatch(("CREATE", "_acme-challenge.sync.test", "TXT", 60, ["\"token\""]))));
        var info = await ReadOkAsync(post, "ChangeResourceRecordSetsResponse");
        var id = info.Descendants(Ns + "Id").Single().Value;
        Assert.Matches("^/change/C[A-Z0-9]+$", id);
        Assert.Equal("PENDING", info.Descendants(Ns + "Status").Single().Value);
        Assert.Equal(time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), info.Descendants(Ns + "SubmittedAt").Single().Value);

        var bareId = id["/change/".Length..];
        Assert.Equal("PENDING", await GetChangeStatusAsync(http, bareId));
        time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Equal("PENDING", await GetChangeStatusAsync(http, bareId));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("INSYNC", await GetChangeStatusAsync(http, bareId));
        Assert.Equal("INSYNC", await GetChangeStatusAsync(http, Uri.EscapeDataString(id)));

        await AssertErrorAsync(await http.GetAsync(new Uri("2013-04-01/change/CNOSUCHCHANGE", UriKind.Relative)), HttpStatusCode.NotFound, "NoSuchChange");
        Assert.Equal(new Route53OperationStats(5, 4), emulator.GetStats(Route53Operation.GetChange));
    }

    [Fact]
    public async Task Txt_and_cname_reach_challtestsrv_only_when_the_change_is_insync()
    {
        await using var pebble = await PebbleServer.StartAsync(new PebbleOptions { NonceRejectPercent = 0 });
        await using var emulator = await Route53Emulator.StartAsync(Options(TimeSpan.FromMilliseconds(400)), pebble.ChallTestSrv);
        await FailureReport.WithLogsAsync(output, () => pebble.Logs + string.Join('\n', emulator.PublishErrors), async () =>
        {
            var dns = new LookupClient(new LookupClientOptions(new NameServer(IPAddress.Loopback, pebble.DnsPort)) { UseCache = false, Retries = 1 });
            var zoneId = emulator.AddHostedZone("publish.test");
            const string name = "_acme-challenge.www.publish.test";
            await emulator.SeedRecordSetAsync(zoneId, name, "TXT", 300, ["\"unrelated\""]);
            Assert.Equal(["unrelated"], await TxtAsync(dns, name));

            using var http = Signed(emulator);
            using var post = await http.PostAsync(RrsetUri(zoneId), Xml(ChangeBatch(
                ("UPSERT", name, "TXT", 300, ["\"unrelated\"", "\"token-1\""]),
                ("CREATE", "_acme-challenge.long.publish.test", "TXT", 60, ["\"first-part\" \"second-part\""]),
                ("CREATE", "_acme-challenge.alias.publish.test", "CNAME", 60, ["_acme-challenge.www.publish.test"]))));
            var changeId = (await ReadOkAsync(post, "ChangeResourceRecordSetsResponse")).Descendants(Ns + "Id").Single().Value["/change/".Length..];

            // Committed (the API lists it) but PENDING, so DNS still answers the old state.
            Assert.Equal(["\"unrelated\"", "\"token-1\""], emulator.GetTxtValues(name));
            Assert.Equal(["unrelated"], await TxtAsync(dns, name));
            Assert.Empty(await TxtAsync(dns, "_acme-challenge.long.publish.test"));

            await WaitForInSyncAsync(http, changeId);
            Assert.Equal(["token-1", "unrelated"], await TxtAsync(dns, name));
            Assert.Equal(["first-partsecond-part"], await TxtAsync(dns, "_acme-challenge.long.publish.test"));
            var cname = await dns.QueryAsync("_acme-challenge.alias.publish.test", QueryType.CNAME);
            Assert.Equal("_acme-challenge.www.publish.test.", cname.Answers.CnameRecords().Single().CanonicalName.Value);

            // Removing our value: UPSERT the rest; nobody polls this time, DNS must follow on its own.
            using var cleanup = await http.PostAsync(RrsetUri(zoneId), Xml(ChangeBatch(
                ("UPSERT", name, "TXT", 300, ["\"unrelated\""]),
                ("DELETE", "_acme-challenge.long.publish.test", "TXT", 60, ["\"first-part\" \"second-part\""]))));
            await ReadOkAsync(cleanup, "ChangeResourceRecordSetsResponse");
            Assert.Equal(["token-1", "unrelated"], await TxtAsync(dns, name));
            await WaitUntilAsync(async () => (await TxtAsync(dns, name)).SequenceEqual(["unrelated"]));
            await WaitUntilAsync(async () => (await TxtAsync(dns, "_acme-challenge.long.publish.test")).Count == 0);
            Assert.Empty(emulator.PublishErrors);
        });
    }

    [Fact]
    public async Task Invalid_change_batches_are_rejected_whole_with_InvalidChangeBatch()
    {
        await using var emulator = await Route53Emulator.StartAsync(Options());
        var zoneId = emulator.AddHostedZone("rules.test");
        await emulator.SeedRecordSetAsync(zoneId, "x.rules.test", "TXT", 300, ["\"a\"", "\"b\""]);
        var before = emulator.GetRecordSets(zoneId);
        using var http = Signed(emulator);
        var tooLong = "\"" + new string('z', 256) + "\"";
        var cases = new (string Why, string Body, string Expected)[]
        {
            ("DELETE with wrong TTL", ChangeBatch(("DELETE", "x.rules.test", "TXT", 60, ["\"a\"", "\"b\""])), "do not match"),
            ("DELETE with a subset of values", ChangeBatch(("DELETE", "x.rules.test", "TXT", 300, ["\"a\""])), "do not match"),
            ("DELETE of a missing record set", ChangeBatch(("DELETE", "nothing.rules.test", "TXT", 300, ["\"a\""])), "it was not found"),
            ("CREATE of an existing record set", ChangeBatch(("CREATE", "X.Rules.Test.", "TXT", 300, ["\"c\""])), "it already exists"),
            ("unquoted TXT", ChangeBatch(("CREATE", "y.rules.test", "TXT", 300, ["abc"])), "InvalidCharacterString"),
            ("TXT string over 255 characters", ChangeBatch(("CREATE", "y.rules.test", "TXT", 300, [tooLong])), "TXTRDATATooLong"),
            ("name outside the zone", ChangeBatch(("CREATE", "y.other.test", "TXT", 300, ["\"a\""])), "is not permitted in zone rules.test."),
            ("101 changes", ChangeBatch([.. Enumerable.Range(0, 101).Select(i => ("CREATE", $"n{i}.rules.test", "TXT", 60L, new[] { "\"v\"" }))]), "Number of changes limit of 100"),
            ("valid CREATE then invalid DELETE (atomic)", ChangeBatch(("CREATE", "good.rules.test", "TXT", 60, ["\"ok\""]), ("DELETE", "x.rules.test", "TXT", 300, ["\"b\""])), "do not match"),
            ("CNAME next to TXT", ChangeBatch(("CREATE", "x.rules.test", "CNAME", 300, ["target.test"])), "conflicts"),
        };
        foreach (var (why, body, expected) in cases)
        {
            using var response = await http.PostAsync(RrsetUri(zoneId), Xml(body));
            var message = await AssertErrorAsync(response, HttpStatusCode.BadRequest, "InvalidChangeBatch");
            Assert.True(message.Contains(expected, StringComparison.Ordinal), $"{why}: '{message}' lacks '{expected}'");
            Assert.Equal(before, emulator.GetRecordSets(zoneId));
        }

        Assert.Equal(cases.Length, emulator.ChangeLog.Count(e => e.ErrorCode == "InvalidChangeBatch"));

        // The right ways: DELETE with every value (any order), multi-string TXT with 255-character strings.
        var full = "\"" + new string('z', 255) + "\" \"tail\"";
        using var good = await http.PostAsync(RrsetUri(zoneId), Xml(ChangeBatch(
            ("DELETE", "x.rules.test", "TXT", 300, ["\"b\"", "\"a\""]),
            ("CREATE", "x.rules.test", "TXT", 300, [full]))));
        await ReadOkAsync(good, "ChangeResourceRecordSetsResponse");
        Assert.Equal([full], emulator.GetTxtValues("x.rules.test"));

        // Structural problems are InvalidInput, unknown zones NoSuchHostedZone.
        await AssertErrorAsync(await http.PostAsync(RrsetUri(zoneId), Xml("<ChangeResourceRecordSetsRequest>")), HttpStatusCode.BadRequest, "InvalidInput");
        await AssertErrorAsync(await http.PostAsync(RrsetUri(zoneId), Xml(ChangeBatch(("CREATE", "t.rules.test", "TXT", 60, [])))), HttpStatusCode.BadRequest, "InvalidInput");
        await AssertErrorAsync(await http.PostAsync(RrsetUri("ZNOSUCHZONE"), Xml(ChangeBatch(("CREATE", "t.rules.test", "TXT", 60, ["\"v\""])))), HttpStatusCode.NotFound, "NoSuchHostedZone");
    }

    [Fact]
    public async Task Batch_limits_count_upsert_records_and_characters_twice()
    {
        await using var emulator = await Route53Emulator.StartAsync(Options());
        var zoneId = emulator.AddHostedZone("limits.test");
        using var http = Signed(emulator);
        var values = Enumerable.Range(0, 501).Select(i => $"\"v{i}\"").ToArray();

        await AssertErrorAsync(await http.PostAsync(RrsetUri(zoneId), Xml(ChangeBatch(("UPSERT", "r.limits.test", "TXT", 60, values)))), HttpStatusCode.BadRequest, "InvalidChangeBatch");
        await ReadOkAsync(await http.PostAsync(RrsetUri(zoneId), Xml(ChangeBatch(("CREATE", "r.limits.test", "TXT", 60, values)))), "ChangeResourceRecordSetsResponse");

        var big = Enumerable.Range(0, 60).Select(i => $"\"{i:000}{new string('c', 250)}\" \"{new string('d', 42)}\"").ToArray(); // 60 x 300 = 18000 characters
        Assert.Equal(18000, big.Sum(v => v.Length));
        var message = await AssertErrorAsync(await http.PostAsync(RrsetUri(zoneId), Xml(ChangeBatch(("UPSERT", "c.limits.test", "TXT", 60, big)))), HttpStatusCode.BadRequest, "InvalidChangeBatch");
        Assert.Contains("characters limit", message, StringComparison.Ordinal);
        await ReadOkAsync(await http.PostAsync(RrsetUri(zoneId), Xml(ChangeBatch(("CREATE", "c.limits.test", "TXT", 60, big)))), "ChangeResourceRecordSetsResponse");
    }

    [Fact]
    public async Task InvalidChangeBatch_can_be_answered_as_a_Messages_document()
    {
        await using var emulator = await Route53Emulator.StartAsync(Options() with { InvalidChangeBatchFormat = InvalidChangeBatchFormat.MessagesDocument });
        var zoneId = emulator.AddHostedZone("messages.test");
        using var http = Signed(emulator);
        using var response = await http.PostAsync(RrsetUri(zoneId), Xml(ChangeBatch(("DELETE", "none.messages.test", "TXT", 60, ["\"v\""]), ("CREATE", "bad.messages.test", "TXT", 60, ["v"]))));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var root = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        Assert.Equal(Ns + "InvalidChangeBatch", root.Name);
        Assert.Equal(2, root.Element(Ns + "Messages")!.Elements(Ns + "Message").Count());
        Assert.Equal(response.Headers.GetValues("x-amzn-RequestId").Single(), root.Element(Ns + "RequestId")!.Value);
    }

    [Fact]
    public async Task ListResourceRecordSets_pages_in_route53_order_with_wildcards_as_octal_escapes()
    {
        await using var emulator = await Route53Emulator.StartAsync(Options());
        var zoneId = emulator.AddHostedZone("page.test");
        using var http = Signed(emulator);
        await ReadOkAsync(await http.PostAsync(RrsetUri(zoneId), Xml(ChangeBatch(
            ("CREATE", "z.sub.page.test", "TXT", 60, ["\"z\""]),
            ("CREATE", "c.page.test", "TXT", 60, ["\"c\""]),
            ("CREATE", "c.page.test", "A", 60, ["192.0.2.1"]),
            ("CREATE", "b.page.test", "TXT", 60, ["\"b\""]),
            ("CREATE", "*.page.test", "TXT", 60, ["\"w\""]),
            ("CREATE", "A.page.test", "TXT", 60, ["\"a\""])))), "ChangeResourceRecordSetsResponse");

        var expected = new[]
        {
            ("page.test.", "NS"), ("page.test.", "SOA"), ("\\052.page.test.", "TXT"), ("a.page.test.", "TXT"), ("b.page.test.", "TXT"),
            ("c.page.test.", "A"), ("c.page.test.", "TXT"), ("z.sub.page.test.", "TXT"),
        };
        var seen = new List<(string, string)>();
        var pages = 0;
        string? nextName = null, nextType = null;
        do
        {
            var query = nextName is null ? "maxitems=3" : $"maxitems=3&name={Uri.EscapeDataString(nextName)}&type={nextType}";
            var page = await ReadOkAsync(await http.GetAsync(new Uri($"2013-04-01/hostedzone/{zoneId}/rrset?{query}", UriKind.Relative)), "ListResourceRecordSetsResponse");
            seen.AddRange(page.Descendants(Ns + "ResourceRecordSet").Select(s => (s.Element(Ns + "Name")!.Value, s.Element(Ns + "Type")!.Value)));
            Assert.Equal("3", page.Element(Ns + "MaxItems")!.Value);
            var truncated = bool.Parse(page.Element(Ns + "IsTruncated")!.Value);
            nextName = truncated ? page.Element(Ns + "NextRecordName")!.Value : null;
            nextType = truncated ? page.Element(Ns + "NextRecordType")!.Value : null;
            Assert.Equal(truncated, page.Element(Ns + "NextRecordName") is not null);
            pages++;
        }
        while (nextName is not null);

        Assert.Equal(expected, seen);
        Assert.Equal(3, pages);
        Assert.Equal(expected, emulator.GetRecordSets(zoneId).Select(s => (s.Name, s.Type)));

        // Starting at a name that has no record set lists from the next one; "*" and "\052" are the same name.
        var from = await ReadOkAsync(await http.GetAsync(new Uri($"2013-04-01/hostedzone/{zoneId}/rrset?name=bb.page.test&maxitems=1", UriKind.Relative)), "ListResourceRecordSetsResponse");
        Assert.Equal("c.page.test.", from.Descendants(Ns + "Name").First().Value);
        var wildcard = await ReadOkAsync(await http.GetAsync(new Uri($"2013-04-01/hostedzone/{zoneId}/rrset?name={Uri.EscapeDataString("*.page.test")}&type=TXT&maxitems=1", UriKind.Relative)), "ListResourceRecordSetsResponse");
        Assert.Equal("\\052.page.test.", wildcard.Descendants(Ns + "Name").First().Value);
        await AssertErrorAsync(await http.GetAsync(new Uri($"2013-04-01/hostedzone/{zoneId}/rrset?type=TXT", UriKind.Relative)), HttpStatusCode.BadRequest, "InvalidInput");
    }

    [Fact]
    public async Task ListHostedZonesByName_starts_at_the_given_name_in_reversed_label_order()
    {
        await using var emulator = await Route53Emulator.StartAsync(Options());
        var example = emulator.AddHostedZone("example.test");
        var sub = emulator.AddHostedZone("sub.example.test");
        var other = emulator.AddHostedZone("other.test");
        var privateZone = emulator.AddHostedZone("private.test", isPrivate: true);
        using var http = Signed(emulator);

        async Task<XElement> ListAsync(string query) =>
            await ReadOkAsync(await http.GetAsync(new Uri("2013-04-01/hostedzonesbyname" + query, UriKind.Relative)), "ListHostedZonesByNameResponse");
        static string[] Names(XElement response) => [.. response.Descendants(Ns + "HostedZone").Select(z => z.Element(Ns + "Name")!.Value)];

        var all = await ListAsync("");
        Assert.Equal(["example.test.", "sub.example.test.", "other.test.", "private.test."], Names(all));
        Assert.Null(all.Element(Ns + "DNSName"));
        Assert.Equal("100", all.Element(Ns + "MaxItems")!.Value);
        Assert.Equal(["false", "false", "false", "true"], all.Descendants(Ns + "PrivateZone").Select(p => p.Value));
        Assert.Equal($"/hostedzone/{example}", all.Descendants(Ns + "Id").First().Value);

        var subFirst = await ListAsync("?dnsname=sub.example.test&maxitems=1");
        Assert.Equal(["sub.example.test."], Names(subFirst));
        Assert.Equal("sub.example.test", subFirst.Element(Ns + "DNSName")!.Value);
        Assert.Equal("true", subFirst.Element(Ns + "IsTruncated")!.Value);
        Assert.Equal("other.test.", subFirst.Element(Ns + "NextDNSName")!.Value);
        Assert.Equal(other, subFirst.Element(Ns + "NextHostedZoneId")!.Value);
        Assert.Equal("1", subFirst.Element(Ns + "MaxItems")!.Value);

        // A name that is not a zone: AWS answers the next zones in order (moto: nothing); the caller must compare.
        Assert.Equal(["other.test."], Names(await ListAsync("?dnsname=_acme-challenge.www.example.test&maxitems=1")));
        Assert.Equal(["other.test."], Names(await ListAsync("?dnsname=a.sub.example.test.&maxitems=1")));
        Assert.Equal(["example.test."], Names(await ListAsync("?dnsname=EXAMPLE.test.&maxitems=1")));
        var none = await ListAsync("?dnsname=zzz.test&maxitems=1");
        Assert.Empty(Names(none));
        Assert.Equal("false", none.Element(Ns + "IsTruncated")!.Value);

        // Paging with NextDNSName + NextHostedZoneId visits every zone once.
        var visited = new List<string>();
        var query = "?maxitems=1";
        while (true)
        {
            var page = await ListAsync(query);
            visited.AddRange(Names(page));
            if (page.Element(Ns + "IsTruncated")!.Value != "true")
            {
                break;
            }

            query = $"?maxitems=1&dnsname={page.Element(Ns + "NextDNSName")!.Value}&hostedzoneid={page.Element(Ns + "NextHostedZoneId")!.Value}";
        }

        Assert.Equal(Names(all), visited);

        var details = await ReadOkAsync(await http.GetAsync(new Uri($"2013-04-01/hostedzone/{sub}", UriKind.Relative)), "GetHostedZoneResponse");
        Assert.Equal(4, details.Element(Ns + "DelegationSet")!.Descendants(Ns + "NameServer").Count());
        Assert.Equal("2", details.Descendants(Ns + "ResourceRecordSetCount").Single().Value);
        var privateDetails = await ReadOkAsync(await http.GetAsync(new Uri($"2013-04-01/hostedzone/{privateZone}", UriKind.Relative)), "GetHostedZoneResponse");
        Assert.Null(privateDetails.Element(Ns + "DelegationSet"));
        await AssertErrorAsync(await http.GetAsync(new Uri("2013-04-01/hostedzone/ZNOSUCHZONE", UriKind.Relative)), HttpStatusCode.NotFound, "NoSuchHostedZone");
    }

    [Fact]
    public async Task Token_bucket_throttles_when_empty_and_refills_with_time()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var emulator = await Route53Emulator.StartAsync(Options(), timeProvider: time);
        var zoneId = emulator.AddHostedZone("bucket.test");
        emulator.Faults.SetRateLimit(requestsPerSecond: 2, burst: 3);
        using var http = Signed(emulator);
        var uri = new Uri($"2013-04-01/hostedzone/{zoneId}", UriKind.Relative);

        for (var i = 0; i < 3; i++)
        {
            await ReadOkAsync(await http.GetAsync(uri), "GetHostedZoneResponse");
        }

        var message = await AssertErrorAsync(await http.GetAsync(uri), HttpStatusCode.BadRequest, "Throttling");
        Assert.Equal("Rate exceeded", message);
        time.Advance(TimeSpan.FromMilliseconds(500));
        await ReadOkAsync(await http.GetAsync(uri), "GetHostedZoneResponse");
        await AssertErrorAsync(await http.GetAsync(uri), HttpStatusCode.BadRequest, "Throttling");

        emulator.Faults.ClearRateLimit();
        await ReadOkAsync(await http.GetAsync(uri), "GetHostedZoneResponse");
        Assert.Equal(new Route53OperationStats(7, 5), emulator.GetStats(Route53Operation.GetHostedZone));
    }

    [Fact]
    public async Task Counted_pending_polls_per_zone_faults_and_the_request_log()
    {
        await using var emulator = await Route53Emulator.StartAsync(Options(TimeSpan.FromHours(1)));
        emulator.PendingPolls = 2;
        var zoneA = emulator.AddHostedZone("counted-a.test");
        var zoneB = emulator.AddHostedZone("counted-b.test");
        using var http = Signed(emulator);

        // Counted polls ignore the (hour-long) delay: PENDING twice, then INSYNC.
        using var post = await http.PostAsync(RrsetUri(zoneA), Xml(ChangeBatch(("CREATE", "_acme-challenge.counted-a.test", "TXT", 60, ["\"t\""]))));
        var changeId = (await ReadOkAsync(post, "ChangeResourceRecordSetsResponse")).Descendants(Ns + "Id").Single().Value["/change/".Length..];
        Assert.Equal(["PENDING", "PENDING", "INSYNC", "INSYNC"], [
            await GetChangeStatusAsync(http, changeId), await GetChangeStatusAsync(http, changeId),
            await GetChangeStatusAsync(http, changeId), await GetChangeStatusAsync(http, changeId)]);

        // A fault queued for one zone leaves the other alone, and waits for its zone.
        emulator.Faults.Enqueue(Route53Fault.InvalidChangeBatch, Route53Operation.ChangeResourceRecordSets, hostedZoneId: zoneA);
        using (var other = await http.PostAsync(RrsetUri(zoneB), Xml(ChangeBatch(("CREATE", "_acme-challenge.counted-b.test", "TXT", 60, ["\"b\""])))))
        {
            await ReadOkAsync(other, "ChangeResourceRecordSetsResponse");
        }

        Assert.Equal(1, emulator.Faults.QueuedCount);
        await AssertErrorAsync(
            await http.PostAsync(RrsetUri(zoneA), Xml(ChangeBatch(("DELETE", "_acme-challenge.counted-a.test", "TXT", 60, ["\"t\""])))),
            HttpStatusCode.BadRequest, "InvalidChangeBatch");
        Assert.Equal(["\"t\""], emulator.GetTxtValues("_acme-challenge.counted-a.test"));

        Assert.Equal(
            [(Route53Operation.ChangeResourceRecordSets, zoneA), (Route53Operation.GetChange, changeId), (Route53Operation.GetChange, changeId),
             (Route53Operation.GetChange, changeId), (Route53Operation.GetChange, changeId), (Route53Operation.ChangeResourceRecordSets, zoneB),
             (Route53Operation.ChangeResourceRecordSets, zoneA)],
            emulator.Requests.Select(r => (r.Operation, r.ResourceId)));
    }

    [Fact]
    public async Task Queued_faults_answer_in_order_and_never_apply_the_change()
    {
        await using var emulator = await Route53Emulator.StartAsync(Options());
        var zoneId = emulator.AddHostedZone("faults.test");
        var change = Xml(ChangeBatch(("CREATE", "_acme-challenge.faults.test", "TXT", 60, ["\"t\""])));
        emulator.Faults.Enqueue(Route53Fault.Throttling, Route53Operation.ChangeResourceRecordSets, count: 2);
        emulator.Faults.Enqueue(Route53Fault.PriorRequestNotComplete, Route53Operation.ChangeResourceRecordSets);
        emulator.Faults.Enqueue(Route53Fault.InternalError, Route53Operation.ChangeResourceRecordSets);
        emulator.Faults.Enqueue(Route53Fault.DropConnection, Route53Operation.ChangeResourceRecordSets);
        using var http = Signed(emulator);

        // Faults queued for another operation leave this one alone.
        await ReadOkAsync(await http.GetAsync(new Uri($"2013-04-01/hostedzone/{zoneId}", UriKind.Relative)), "GetHostedZoneResponse");

        Assert.Equal("Rate exceeded", await AssertErrorAsync(await http.PostAsync(RrsetUri(zoneId), change), HttpStatusCode.BadRequest, "Throttling"));
        await AssertErrorAsync(await http.PostAsync(RrsetUri(zoneId), change), HttpStatusCode.BadRequest, "Throttling");
        await AssertErrorAsync(await http.PostAsync(RrsetUri(zoneId), change), HttpStatusCode.BadRequest, "PriorRequestNotComplete");
        using (var serverError = await http.PostAsync(RrsetUri(zoneId), change))
        {
            await AssertErrorAsync(serverError, HttpStatusCode.InternalServerError, "InternalFailure");
        }

        // A fresh connection each, so SocketsHttpHandler cannot quietly resend on a new one.
        using (var dropping = Signed(emulator))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => dropping.PostAsync(RrsetUri(zoneId), change));
        }

        Assert.Empty(emulator.GetTxtValues("_acme-challenge.faults.test"));
        Assert.Equal(["Throttling", "Throttling", "PriorRequestNotComplete", "InternalFailure", "DropConnection"], emulator.ChangeLog.Select(e => e.ErrorCode));
        Assert.All(emulator.ChangeLog, e => Assert.Equal("_acme-challenge.faults.test", Assert.Single(e.Changes).RecordSet.Name));

        // The committed-but-unanswered case: the retry of a CREATE then meets "already exists".
        emulator.Faults.Enqueue(Route53Fault.DropConnectionAfterCommit);
        using (var dropping = Signed(emulator))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => dropping.PostAsync(RrsetUri(zoneId), change));
        }

        Assert.Equal(["\"t\""], emulator.GetTxtValues("_acme-challenge.faults.test"));
        Assert.Contains("already exists", await AssertErrorAsync(await http.PostAsync(RrsetUri(zoneId), change), HttpStatusCode.BadRequest, "InvalidChangeBatch"), StringComparison.Ordinal);
        Assert.Equal(0, emulator.Faults.QueuedCount);
        Assert.Equal(new Route53OperationStats(7, 0), emulator.GetStats(Route53Operation.ChangeResourceRecordSets));
    }

    [Fact]
    public async Task Probabilistic_faults_replay_identically_with_the_same_seed()
    {
        async Task<List<string>> RunAsync()
        {
            await using var emulator = await Route53Emulator.StartAsync(Options() with { RandomSeed = 42 });
            var zoneId = emulator.AddHostedZone("random.test");
            emulator.Faults.ThrottlingProbability = 0.3;
            emulator.Faults.PriorRequestNotCompleteProbability = 0.2;
            emulator.Faults.InternalErrorProbability = 0.2;
            using var http = Signed(emulator);
            var outcomes = new List<string>();
            for (var i = 0; i < 30; i++)
            {
                using var response = await http.GetAsync(new Uri($"2013-04-01/hostedzone/{zoneId}", UriKind.Relative));
                var root = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
                outcomes.Add(response.IsSuccessStatusCode ? "ok" : $"{(int)response.StatusCode} {root.Descendants(Ns + "Code").Single().Value}");
            }

            emulator.Faults.Reset();
            emulator.Faults.DropConnectionProbability = 1;
            using (var dropping = Signed(emulator))
            {
                await Assert.ThrowsAsync<HttpRequestException>(() => dropping.GetAsync(new Uri($"2013-04-01/hostedzone/{zoneId}", UriKind.Relative)));
            }

            return outcomes;
        }

        var first = await RunAsync();
        var second = await RunAsync();
        Assert.Equal(first, second);
        Assert.Contains("ok", first);
        Assert.Contains("400 Throttling", first);
        Assert.Contains("400 PriorRequestNotComplete", first);
        Assert.Contains("500 InternalFailure", first);
    }

    private static HttpClient Signed(Route53Emulator emulator, Route53Credential? credential = null, HttpMessageHandler? inner = null)
    {
        var key = credential ?? Key;
        var signer = new SigV4SigningHandler(new BasicAWSCredentials(key.AccessKeyId, key.SecretAccessKey), RegionEndpoint.USEast1, "route53", inner ?? new SocketsHttpHandler());
        return new HttpClient(signer) { BaseAddress = emulator.Endpoint, Timeout = TimeSpan.FromSeconds(15) };
    }

    private static Uri RrsetUri(string zoneId) => new($"2013-04-01/hostedzone/{zoneId}/rrset/", UriKind.Relative);

    private static StringContent Xml(string body) => new(body, Encoding.UTF8, "text/xml");

    private static string ChangeBatch(params (string Action, string Name, string Type, long Ttl, string[] Values)[] changes)
    {
        var builder = new StringBuilder();
        builder.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ChangeResourceRecordSetsRequest xmlns=\"").Append(Ns.NamespaceName).Append("\"><ChangeBatch><Changes>");
        foreach (var (action, name, type, ttl, values) in changes)
        {
            builder.Append("<Change><Action>").Append(action).Append("</Action><ResourceRecordSet><Name>").Append(SecurityElement.Escape(name))
                .Append("</Name><Type>").Append(type).Append("</Type><TTL>").Append(ttl).Append("</TTL>");
            if (values.Length > 0)
            {
                builder.Append("<ResourceRecords>");
                foreach (var value in values)
                {
                    builder.Append("<ResourceRecord><Value>").Append(SecurityElement.Escape(value)).Append("</Value></ResourceRecord>");
                }

                builder.Append("</ResourceRecords>");
            }

            builder.Append("</ResourceRecordSet></Change>");
        }

        return builder.Append("</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>").ToString();
    }

    private static async Task<XElement> ReadOkAsync(HttpResponseMessage response, string rootName)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
            var root = XDocument.Parse(text).Root!;
            Assert.Equal(Ns + rootName, root.Name);
            return root;
        }
    }

    /// <summary>Asserts an ErrorResponse with this status and code and the request id of the header; returns the message.</summary>
    private static async Task<string> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(status == response.StatusCode, $"expected {(int)status} {code}, got {(int)response.StatusCode}: {text}");
            var root = XDocument.Parse(text).Root!;
            Assert.Equal(Ns + "ErrorResponse", root.Name);
            var error = root.Element(Ns + "Error")!;
            Assert.Equal(code, error.Element(Ns + "Code")!.Value);
            Assert.Equal((int)status >= 500 ? "Receiver" : "Sender", error.Element(Ns + "Type")!.Value);
            Assert.Equal(response.Headers.GetValues("x-amzn-RequestId").Single(), root.Element(Ns + "RequestId")!.Value);
            return error.Element(Ns + "Message")!.Value;
        }
    }

    private static async Task<string> GetChangeStatusAsync(HttpClient http, string id)
    {
        var root = await ReadOkAsync(await http.GetAsync(new Uri($"2013-04-01/change/{id}", UriKind.Relative)), "GetChangeResponse");
        return root.Descendants(Ns + "Status").Single().Value;
    }

    private static async Task WaitForInSyncAsync(HttpClient http, string changeId) =>
        await WaitUntilAsync(async () => await GetChangeStatusAsync(http, changeId) == "INSYNC");

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(10);
        while (!await condition())
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, "condition not met within 10 s");
            await Task.Delay(50);
        }
    }

    private static async Task<IReadOnlyList<string>> TxtAsync(LookupClient dns, string name)
    {
        var answer = await dns.QueryAsync(name, QueryType.TXT);
        return [.. answer.Answers.TxtRecords().SelectMany(r => r.Text).Order(StringComparer.Ordinal)];
    }

    /// <summary>Sits between the signer and the wire and swaps the body for another: a man in the middle.</summary>
    private sealed class TamperingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            request.Content = Xml(body.Replace("a.sig.test", "tampered.sig.test", StringComparison.Ordinal));
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
