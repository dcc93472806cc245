using System.Net.Http.Json;
using System.Text.Json;

namespace CertDaemon.Testbed.Pebble;

/// <summary>
/// pebble-challtestsrv's management API: the DNS server pebble validates against.
/// <c>set-txt</c> appends a value; <c>clear-txt</c> removes every value of a name (there is no per-value delete).
/// </summary>
public sealed class ChallTestSrvClient(HttpClient http, Uri managementUrl)
{
    private static string Fqdn(string name) => name.EndsWith('.') ? name : name + ".";

    public Task AddTxtAsync(string name, string value, CancellationToken cancellationToken = default) =>
        PostAsync("set-txt", new { host = Fqdn(name), value }, cancellationToken);

    public Task ClearTxtAsync(string name, CancellationToken cancellationToken = default) =>
        PostAsync("clear-txt", new { host = Fqdn(name) }, cancellationToken);

    /// <summary>Replaces every TXT value of <paramref name="name"/> by <paramref name="values"/> (clear, then append each).</summary>
    public async Task SetTxtValuesAsync(string name, IEnumerable<string> values, CancellationToken cancellationToken = default)
    {
        await ClearTxtAsync(name, cancellationToken);
        foreach (var value in values)
        {
            await AddTxtAsync(name, value, cancellationToken);
        }
    }

    public Task AddCnameAsync(string name, string target, CancellationToken cancellationToken = default) =>
        PostAsync("set-cname", new { host = Fqdn(name), target = Fqdn(target) }, cancellationToken);

    public Task ClearCnameAsync(string name, CancellationToken cancellationToken = default) =>
        PostAsync("clear-cname", new { host = Fqdn(name) }, cancellationToken);

    public Task SetServFailAsync(string name, CancellationToken cancellationToken = default) =>
        PostAsync("set-servfail", new { host = Fqdn(name) }, cancellationToken);

    public Task ClearServFailAsync(string name, CancellationToken cancellationToken = default) =>
        PostAsync("clear-servfail", new { host = Fqdn(name) }, cancellationToken);

    /// <summary>The DNS questions challtestsrv answered for <paramref name="name"/> (no trailing dot).</summary>
    public async Task<IReadOnlyList<JsonElement>> DnsRequestHistoryAsync(string name, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsJsonAsync(new Uri(managementUrl, "dns-request-history"), new { host = name.TrimEnd('.') }, cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return body.ValueKind == JsonValueKind.Array ? [.. body.EnumerateArray()] : [];
    }

    private async Task PostAsync(string path, object body, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(new Uri(managementUrl, path), body, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException($"challtestsrv {path} answered {(int)response.StatusCode}: {text}");
        }
    }
}
