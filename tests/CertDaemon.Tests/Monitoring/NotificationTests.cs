using CertDaemon.Kernel;
using CertDaemon.Configuration;
using CertDaemon.Processes;
using CertDaemon.Notifications;
using CertDaemon.Renewal;
using CertDaemon.Storage;
using CertDaemon.Tests.Testbed;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Tests.Monitoring;

/// <summary>
/// When a notification goes out (a failure once, its recovery once, renewals only when asked), what it carries (no
/// secret), and how it is delivered: a command with the facts in its environment, a webhook retried a bounded number
/// of times without holding up the check.
/// </summary>
public sealed class NotificationTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 5, 10, 0, 0, 0, TimeSpan.Zero);
    private static readonly ManagedCertificate Site = new("site", ["example.com"], KeyType.Ec256, null, null, null, null, Nginx: true, null, []);
    private readonly string _root = Directory.CreateTempSubdirectory("certdaemon-notify-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_failure_is_told_once_its_recovery_once_and_renewals_only_when_asked()
    {
        var status = Reader(new CertDaemonOptions()).Describe(Site, State(nginxCurrent: false), Now);
        var failed = Result(succeeded: false, RenewalCheckOutcome.NotDeployed);
        var ok = Result(succeeded: true, RenewalCheckOutcome.NotDue);
        var renewed = Result(succeeded: true, RenewalCheckOutcome.Renewed);
        string[] defaults = ["failure", "recovered"];
        var failing = new CheckHistory(Now, 1, Now);

        var first = NotificationPlanner.Decide(defaults, status, failed, before: null, "host1", Now);
        Assert.Equal("failure", first!.Event);
        Assert.Equal(["nginx"], first.FailedTargets);
        Assert.Contains("[REDACTED PRIVATE KEY]", first.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("MIIE", first.Error, StringComparison.Ordinal);
        Assert.Null(NotificationPlanner.Decide(defaults, status, failed, failing, "host1", Now)); // a retry: not again
        Assert.Equal("recovered", NotificationPlanner.Decide(defaults, status, ok, failing, "host1", Now)!.Event);
        Assert.Null(NotificationPlanner.Decide(defaults, status, ok, new CheckHistory(Now), "host1", Now));
        Assert.Null(NotificationPlanner.Decide(defaults, status, renewed, null, "host1", Now));
        Assert.Equal("renewed", NotificationPlanner.Decide(["renewed"], status, renewed, null, "host1", Now)!.Event);
    }

    [Fact]
    public async Task The_command_gets_the_facts_in_its_environment_and_a_failing_webhook_gets_three_attempts_in_the_background()
    {
        await using var webhook = new WebhookReceiver { StatusCode = 500 };
        var facts = Path.Combine(_root, "facts");
        var options = new CertDaemonOptions
        {
            Notifications = new NotificationOptions { WebhookUrl = webhook.Url, Command = ["/bin/sh", "-c", $"env | grep ^CERTDAEMON_ | sort > '{facts}'"] },
        };
        var log = new CapturingLogger<NotificationDispatcher>();
        var dispatcher = new NotificationDispatcher(options, Reader(options), new HttpClient(), new CommandRunner(TimeProvider.System), TimeProvider.System, log);

        var queued = dispatcher.OnCheckedAsync(Site, Result(succeeded: false, RenewalCheckOutcome.NotDeployed), null, State(nginxCurrent: false), CancellationToken.None);
        Assert.True(queued.IsCompleted, "queuing a notification must not wait for its delivery");
        await dispatcher.DisposeAsync();

        Assert.Equal(NotificationDispatcher.Attempts, webhook.Received.Count);
        Assert.Equal(NotificationDispatcher.Attempts, log.Count("NotificationFailed"));
        Assert.DoesNotContain(log.Entries, e => e.Message.Contains("secret-token", StringComparison.Ordinal));
        var environment = await File.ReadAllLinesAsync(facts);
        Assert.Contains("CERTDAEMON_EVENT=failure", environment);
        Assert.Contains("CERTDAEMON_CERTIFICATE=site", environment);
        Assert.Contains("CERTDAEMON_SERIAL=0b02", environment);
        Assert.Contains("CERTDAEMON_FAILED_TARGETS=nginx", environment);
        Assert.Contains(environment, l => l.StartsWith("CERTDAEMON_MESSAGE=CertDaemon on ", StringComparison.Ordinal));
        Assert.Equal(1, log.Count("NotificationSent"));
    }

    private static RenewalCheckResult Result(bool succeeded, RenewalCheckOutcome outcome)
    {
        var plan = new RenewalDecision(Now.AddDays(60), RenewalReason.OneThirdLifetime, "later");
        var error = succeeded ? null : new InvalidOperationException("nginx refused it; key -----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----");
        return new RenewalCheckResult("site", plan, outcome, null, error, plan, Now.AddMinutes(1));
    }

    private static CertificateState State(bool nginxCurrent) => new()
    {
        Name = "site",
        Current = new CurrentCertificate(2, "0b02", ["example.com"], "ec256", Now, Now.AddDays(90), null, new Uri("https://ca.test/dir"), Now),
        Targets = new Dictionary<string, TargetState> { ["nginx"] = new() { HeldSerial = nginxCurrent ? "0b02" : "0a01", HeldNotAfter = Now.AddDays(20) } },
    };

    private static CertificateStatusReader Reader(CertDaemonOptions options)
    {
        var states = new CertificateStateStore("/nonexistent-state", TimeProvider.System, NullLogger.Instance);
        return new CertificateStatusReader(options, new ManagedCertificateCatalog(options, states), states, TimeProvider.System);
    }
}
