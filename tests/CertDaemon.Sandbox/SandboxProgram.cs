using System.Runtime.InteropServices;

namespace CertDaemon.Sandbox;

/// <summary>
/// The sandbox run: starts a CA, Route53 and ACM stand-ins and a real nginx on loopback, drives the real
/// <c>certdaemon</c> through issue, deploy, status, forced renewal and ACM import, proves each result independently,
/// and stops everything it started - also when a step fails or the operator presses Ctrl-C.
/// </summary>
internal static class SandboxProgram
{
    public const string CertificateName = "example";
    public const string Zone = "example.test";
    public const string ProbeName = "www.example.test";
    public const string AcmRegion = "us-east-1";

    /// <summary>
    /// How the renewal step renews: a forced renewal of the one certificate, ignoring its schedule. Until
    /// <c>certdaemon renew</c> is merged this is <c>issue NAME</c> (which re-issues now through the same lifecycle);
    /// then it becomes <c>["renew", CertificateName, "--force"]</c>.
    /// </summary>
    public static readonly IReadOnlyList<string> RenewArguments = ["renew", CertificateName, "--force"];

    public static readonly IReadOnlyList<string> Domains = [Zone, "*." + Zone];

    public const int ExitStepFailed = 1;
    public const int ExitUsage = 2;
    public const int ExitInterrupted = 130;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);
        if (args.Contains("--help") || args.Contains("-h"))
        {
            output.WriteLine(SandboxOptions.Usage);
            return 0;
        }

        var options = SandboxOptions.Parse(args, environment, out var problem);
        if (options is null)
        {
            error.WriteLine("certdaemon-sandbox: " + problem);
            error.WriteLine(SandboxOptions.Usage);
            return ExitUsage;
        }

        using var interrupted = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        return await new SandboxRun(options, new Narrator(output)).RunAsync(interrupted.Token);

        void Interrupt(PosixSignalContext context)
        {
            // Stop the current step and fall through to the clean-up instead of dying with children left behind.
            context.Cancel = true;
            interrupted.Cancel();
        }
    }
}
