using CertDaemon.Bench.Infrastructure;

namespace CertDaemon.Bench.Reliability;

/// <summary>
/// The fault kinds of the adversarial pass, each a part of its own (<c>--parts shared-name,idn</c>), all of them with
/// <c>--parts adversarial</c>. Every part reports runs, failures, what was left behind and the figure that matters.
/// </summary>
internal static partial class ReliabilityBenchmark
{
    private static async Task AdversarialAsync(BenchContext context, string[] parts, MarkdownTable table, Dictionary<string, object?> data)
    {
        bool Wanted(string part) => parts.Contains(part) || parts.Contains("adversarial");
        if (Wanted("shared-name"))
        {
            await SharedNameAsync(context, table, data);
        }

        if (Wanted("account-race"))
        {
            await AccountRaceAsync(context, table, data);
        }

        if (Wanted("corrupt-state"))
        {
            await CorruptStateAsync(table, data);
        }

        if (Wanted("idn"))
        {
            await IdnAsync(context, table, data);
        }

        if (Wanted("silent-ca"))
        {
            await SilentCaAsync(context, table, data);
        }

        if (Wanted("read-only-renew"))
        {
            await ReadOnlyRenewAsync(context, table, data);
        }
    }
}
