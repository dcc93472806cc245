using CertDaemon.Bench.Infrastructure;

namespace CertDaemon.Bench.Scale;

internal static class ScaleBenchmark
{
    public static Task<int> RunAsync(BenchContext context) => Task.FromResult(context.Quick ? 0 : 0);
}
