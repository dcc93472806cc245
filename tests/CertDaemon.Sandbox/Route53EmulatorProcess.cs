using System.Diagnostics;
using System.Globalization;
using CertDaemon.Testbed;

namespace CertDaemon.Sandbox;

/// <summary>The sandbox's side of <see cref="Route53EmulatorProgram"/>: starts this program again as <c>route53-emulator</c>, reads its endpoint and zone id.</summary>
internal sealed class Route53EmulatorProcess : IAsyncDisposable
{
    private readonly ManagedProcess _process;

    private Route53EmulatorProcess(ManagedProcess process, Uri endpoint, string zoneId)
    {
        _process = process;
        Endpoint = endpoint;
        ZoneId = zoneId;
    }

    /// <summary><c>http://127.0.0.1:PORT/</c>: what <c>AWS_ENDPOINT_URL_ROUTE_53</c> says.</summary>
    public Uri Endpoint { get; }

    public string ZoneId { get; }

    public int ProcessId => _process.Id;

    /// <summary>Everything the emulator printed: its start lines and one <c>change ...</c> line per ChangeResourceRecordSets.</summary>
    public string Output => _process.Output;

    /// <summary>The <c>change ...</c> lines (without the process prefix) printed so far.</summary>
    public IReadOnlyList<string> Changes =>
        [.. Output.Split('\n').Select(l => l.TrimEnd('\r')).Select(Strip).Where(l => l.StartsWith("change ", StringComparison.Ordinal))];

    public static async Task<Route53EmulatorProcess> StartAsync(Uri challTestSrv, string zone, CancellationToken cancellationToken)
    {
        var (fileName, prefix) = SelfCommand();
        var process = ManagedProcess.Start(
            "route53-emulator", fileName,
            [.. prefix, Route53EmulatorProgram.CommandName, "--challtestsrv", challTestSrv.ToString(), "--zone", zone, "--insync-delay", "1"]);
        var stopwatch = Stopwatch.StartNew();
        try
        {
            while (true)
            {
                process.ThrowIfExited();
                var lines = process.Output.Split('\n').Select(l => Strip(l.TrimEnd('\r'))).ToList();
                var listening = lines.FirstOrDefault(l => l.StartsWith("listening ", StringComparison.Ordinal));
                var zoneLine = lines.FirstOrDefault(l => l.StartsWith("zone ", StringComparison.Ordinal));
                if (listening is not null && zoneLine is not null)
                {
                    return new Route53EmulatorProcess(process, new Uri(listening["listening ".Length..]), zoneLine.Split(' ')[2]);
                }

                if (stopwatch.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new SandboxStepException("the Route53 emulator did not start within 30 s", process.Output);
                }

                await Task.Delay(50, cancellationToken);
            }
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();

    /// <summary>This program again: its apphost, or <c>dotnet certdaemon-sandbox.dll</c> when started that way.</summary>
    private static (string FileName, string[] Prefix) SelfCommand()
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program this is");
        return string.Equals(Path.GetFileNameWithoutExtension(host), "dotnet", StringComparison.Ordinal)
            ? (host, [typeof(Route53EmulatorProcess).Assembly.Location])
            : (host, []);
    }

    private static string Strip(string line)
    {
        const string Prefix = "[route53-emulator] ";
        return line.StartsWith(Prefix, StringComparison.Ordinal) ? line[Prefix.Length..] : line;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Route53 emulator pid {ProcessId} at {Endpoint}");
}
