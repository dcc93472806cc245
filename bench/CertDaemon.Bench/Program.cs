using CertDaemon.Bench.Fleet;
using CertDaemon.Bench.Footprint;
using CertDaemon.Bench.Infrastructure;
using CertDaemon.Bench.Issuance;
using CertDaemon.Bench.Native;
using CertDaemon.Bench.Reliability;
using CertDaemon.Bench.Scale;

// CertDaemon.Bench BENCHMARK [--quick] [--results DIR] [--key value ...]   (see docs/benchmarks.md)
// CertDaemon.Bench route53-hook present|cleanup FQDN VALUE                  (the peers' DNS hook)
if (args.Length > 0 && args[0] == "route53-hook")
{
    return await Route53Hook.RunAsync(args[1..]);
}

const string Usage = "usage: CertDaemon.Bench issuance|footprint|scale|reliability|native|fleet [--quick] [--results DIR] [--key value ...]";
if (args.Length == 0)
{
    Console.Error.WriteLine(Usage);
    return 2;
}

var quick = false;
var results = Path.Combine(Environment.CurrentDirectory, "bench-results");
var settings = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--quick":
            quick = true;
            break;
        case "--results" when i + 1 < args.Length:
            results = Path.GetFullPath(args[++i]);
            break;
        case var option when option.StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length:
            settings[option[2..]] = args[++i];
            break;
        default:
            Console.Error.WriteLine(Usage);
            return 2;
    }
}

var context = new BenchContext(quick, results, settings);
BenchContext.Log($"{args[0]}: quick={quick}, results in {results}, load {BenchContext.LoadAverage()}");
return args[0] switch
{
    "issuance" or "latency" or "api-calls" => await IssuanceBenchmark.RunAsync(context),
    "footprint" => await FootprintBenchmark.RunAsync(context),
    "scale" => await ScaleBenchmark.RunAsync(context),
    "reliability" => await ReliabilityBenchmark.RunAsync(context),
    "native" => await NativeBenchmark.RunAsync(context),
    "fleet" => await FleetBenchmark.RunAsync(context),
    _ => Usage.Length * 0 + 2,
};
