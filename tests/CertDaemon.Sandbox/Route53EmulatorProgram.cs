using System.Globalization;
using System.Runtime.InteropServices;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;

namespace CertDaemon.Sandbox;

/// <summary>
/// <c>certdaemon-sandbox route53-emulator --challtestsrv URL --zone NAME [--zone NAME...] [--insync-delay SECONDS] [--port N]</c>:
/// the testbed's Route53 emulator as a program of its own. It prints <c>zone NAME ID</c> for each hosted zone and then
/// <c>listening URL</c>, serves until SIGINT/SIGTERM or until its standard input closes (the parent is gone), and
/// prints the change batches it received when it stops. Records turn visible in challtestsrv's DNS only at INSYNC.
/// </summary>
internal static class Route53EmulatorProgram
{
    public const string CommandName = "route53-emulator";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        Uri? challTestSrv = null;
        var zones = new List<string>();
        var inSyncDelay = TimeSpan.FromSeconds(1);
        var port = 0;
        for (var i = 0; i + 1 < args.Count; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--challtestsrv":
                    challTestSrv = new Uri(value);
                    break;
                case "--zone":
                    zones.Add(value);
                    break;
                case "--insync-delay":
                    inSyncDelay = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture));
                    break;
                case "--port":
                    port = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                default:
                    error.WriteLine($"route53-emulator: unknown option '{args[i]}'");
                    return 2;
            }
        }

        if (args.Count % 2 != 0 || zones.Count == 0)
        {
            error.WriteLine("usage: certdaemon-sandbox route53-emulator [--challtestsrv URL] --zone NAME [--zone NAME...] [--insync-delay SECONDS] [--port N]");
            return 2;
        }

        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var options = new Route53EmulatorOptions { InSyncDelay = inSyncDelay, Port = port };
        await using var emulator = await Route53Emulator.StartAsync(options, challTestSrv is null ? null : new ChallTestSrvClient(http, challTestSrv));
        foreach (var zone in zones)
        {
            var id = emulator.AddHostedZone(zone, nameServers: ["ns1." + zone.TrimEnd('.')]);
            output.WriteLine($"zone {zone} {id}");
        }

        output.WriteLine($"listening {emulator.Endpoint}");
        output.WriteLine($"credentials {Route53EmulatorOptions.DefaultCredential.AccessKeyId}");
        output.Flush();

        // Standard input closes when the parent exits, even when it is killed: never outlive it.
        var parentGone = Task.Run(() => Console.In.ReadToEnd(), CancellationToken.None);
        var reported = 0;
        while (!parentGone.IsCompleted && !stop.IsCancellationRequested)
        {
            reported = Report(emulator, reported, output);
            try
            {
                await Task.WhenAny(parentGone, Task.Delay(100, stop.Token));
            }
            catch (OperationCanceledException)
            {
                // stopped by a signal
            }
        }

        Report(emulator, reported, output);
        foreach (var problem in emulator.PublishErrors)
        {
            output.WriteLine($"publish error {problem}");
        }

        output.WriteLine("stopped");
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    /// <summary>Prints each ChangeResourceRecordSets received since the last call, one line each: <c>change ZONE ACTION TYPE NAME (N values) -> ID|ERROR</c>.</summary>
    private static int Report(Route53Emulator emulator, int alreadyReported, TextWriter output)
    {
        var log = emulator.ChangeLog;
        for (var i = alreadyReported; i < log.Count; i++)
        {
            var batch = log[i];
            var changes = string.Join("; ", batch.Changes.Select(c =>
                $"{c.Action.ToString().ToUpperInvariant()} {c.RecordSet.Type} {c.RecordSet.Name} ({c.RecordSet.Values.Count} value{(c.RecordSet.Values.Count == 1 ? "" : "s")})"));
            output.WriteLine($"change {batch.HostedZoneId} {changes} -> {batch.ChangeId ?? batch.ErrorCode}");
        }

        output.Flush();
        return log.Count;
    }
}
