using System.Net;
using System.Text.Json;
using CertDaemon.Testbed.Pebble;
using DnsClient;

namespace CertDaemon.Tests.Testbed;

public sealed class PebbleServerTests
{
    [Fact]
    public async Task Starts_on_free_ports_serves_directory_over_test_tls_and_stops()
    {
        var server = await PebbleServer.StartAsync(new PebbleOptions { NonceRejectPercent = 0 });
        await using (server)
        {
            using var http = server.CreateHttpClient();
            using var doc = JsonDocument.Parse(await http.GetStringAsync(server.DirectoryUrl));
            Assert.True(doc.RootElement.TryGetProperty("newOrder", out _));

            // The throwaway root is trusted only by the clients the testbed builds.
            using var plain = new HttpClient();
            await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetStringAsync(server.DirectoryUrl));
        }

        using var afterStop = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Assert.ThrowsAnyAsync<Exception>(() => afterStop.GetStringAsync(server.DirectoryUrl));
    }

    [Fact]
    public async Task Challtestsrv_answers_txt_values_it_was_given_and_forgets_them_on_clear()
    {
        await using var server = await PebbleServer.StartAsync();
        var dns = new LookupClient(new LookupClientOptions(new NameServer(IPAddress.Loopback, server.DnsPort)) { UseCache = false, Retries = 1 });
        await server.ChallTestSrv.AddTxtAsync("_acme-challenge.a.test", "one");
        await server.ChallTestSrv.AddTxtAsync("_acme-challenge.a.test", "two");

        var answer = await dns.QueryAsync("_acme-challenge.a.test", QueryType.TXT);
        Assert.Equal(["one", "two"], answer.Answers.TxtRecords().SelectMany(r => r.Text).Order());

        await server.ChallTestSrv.ClearTxtAsync("_acme-challenge.a.test");
        answer = await dns.QueryAsync("_acme-challenge.a.test", QueryType.TXT);
        Assert.Empty(answer.Answers.TxtRecords());
    }
}
