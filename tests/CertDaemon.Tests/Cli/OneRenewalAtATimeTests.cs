using CertDaemon.Testbed.Acme;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Cli;

/// <summary>
/// One renewal, not two: a second daemon on the same state directory refuses to start (naming the lock and the pid
/// holding it), and a <c>renew --force</c> that waited for the daemon's renewal of the same certificate says so instead
/// of ordering again. Real processes against pebble behind a recording proxy, which counts the orders.
/// </summary>
public sealed class OneRenewalAtATimeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_second_daemon_on_the_same_state_directory_exits_naming_the_lock_and_the_pid_holding_it()
    {
        await using var testbed = await CliTestbed.StartAsync(["twice.example.test"]);
        await FailureReport.WithLogsAsync(output, () => testbed.Logs, async () =>
        {
            await using var first = testbed.StartDaemon();
            await first.WaitForEventAsync("DaemonStarted");

            var second = await CliProcess.RunAsync(["run", "--config", testbed.ConfigPath], testbed.Environment, TimeSpan.FromMinutes(1));
            output.WriteLine(second.ToString());
            Assert.Equal(1, second.ExitCode);
            Assert.Contains(Path.Combine(testbed.StateDirectory, "locks", ".daemon.lock"), second.Error, StringComparison.Ordinal);
            Assert.Contains($"pid {first.Id}", second.Error, StringComparison.Ordinal);
            Assert.False(first.HasExited);
        });
    }

    [Fact]
    public async Task A_forced_renew_that_waited_for_the_daemon_s_renewal_says_so_and_orders_nothing_a_later_one_orders()
    {
        await using var testbed = await CliTestbed.StartAsync(["waited.example.test"]);
        await using var proxy = await AcmeExtensionsProxy.StartAsync(testbed.Pebble);
        testbed.WriteConfiguration(["waited.example.test"], c => ((Dictionary<string, object?>)c["Acme"]!)["DirectoryUrl"] = proxy.DirectoryUrl.ToString());

        // certbot's pre hook runs under the certificate's lock: this one holds the daemon's renewal there until told to go on.
        var started = Path.Combine(testbed.Root, "hook-started");
        var go = Path.Combine(testbed.Root, "go");
        var hooks = Path.Combine(testbed.CertificateDirectory, "renewal-hooks", "pre");
        Directory.CreateDirectory(hooks);
        var hook = Path.Combine(hooks, "hold.sh");
        File.WriteAllText(hook, $"#!/bin/sh\ntouch '{started}'\nwhile [ ! -f '{go}' ]; do sleep 0.1; done\n");
        File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        await FailureReport.WithLogsAsync(output, () => testbed.Logs, async () =>
        {
            await using var daemon = testbed.StartDaemon();
            await WaitForAsync(() => File.Exists(started), "the daemon's renewal to hold the lock");

            using var renew = testbed.Start("renew", "--force", CliTestbed.CertificateName);
            var stdout = renew.StandardOutput.ReadToEndAsync();
            var stderr = new List<string>();
            var sawWaiting = false;
            using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
            {
                try
                {
                    string? line;
                    while ((line = await renew.StandardError.ReadLineAsync(patience.Token)) is not null)
                    {
                        stderr.Add(line);
                        if (line.Contains("CertificateLockWaiting", StringComparison.Ordinal))
                        {
                            sawWaiting = true;
                            break;
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                    // Never said it waits: let the daemon finish anyway, so the orders below tell what the renew did.
                    stderr.Add("(no lock-wait event within 90 s)");
                }
            }

            File.WriteAllText(go, "");
            var rest = await renew.StandardError.ReadToEndAsync();
            await renew.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
            var renewOutput = await stdout;
            output.WriteLine($"exit {renew.ExitCode}\n{renewOutput}\n{string.Join('\n', stderr)}\n{rest}");

            var issued = await daemon.WaitForEventAsync("CertificateIssued", timeout: TimeSpan.FromSeconds(60));
            // One order: the daemon's. The renew that waited did not order a second certificate.
            Assert.Single(proxy.Orders, o => o.StatusCode == System.Net.HttpStatusCode.Created);
            // A flag, not the collected text: the note added on a timeout must not count as the event.
            Assert.True(sawWaiting, string.Join('\n', stderr));
            Assert.Equal(0, renew.ExitCode);
            Assert.Contains($"{CliTestbed.CertificateName}: not renewed here: {CliTestbed.CertificateName} was renewed by another run (serial {issued.Property("Serial")}", renewOutput, StringComparison.Ordinal);
            Assert.Equal(issued.Property("Serial"), IssueCommandTests.LiveSerial(testbed));

            // Asked after that renewal: the operator wants a new certificate, and gets one.
            var later = await testbed.RunAsync("renew", "--force", CliTestbed.CertificateName);
            output.WriteLine(later.ToString());
            Assert.Equal(0, later.ExitCode);
            Assert.Equal(2, proxy.Orders.Count(o => o.StatusCode == System.Net.HttpStatusCode.Created));
            Assert.NotEqual(issued.Property("Serial"), IssueCommandTests.LiveSerial(testbed));
        });
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (!condition())
        {
            try
            {
                await Task.Delay(50, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"waited 90 s for {what}");
            }
        }
    }
}
