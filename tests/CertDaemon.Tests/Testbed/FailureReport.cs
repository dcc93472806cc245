using Xunit.Abstractions;

namespace CertDaemon.Tests.Testbed;

/// <summary>Runs a test body and, when it fails, attaches the real servers' logs to the test's output.</summary>
public static class FailureReport
{
    public static async Task WithLogsAsync(ITestOutputHelper output, Func<string> logs, Func<Task> body)
    {
        try
        {
            await body();
        }
        catch (Exception)
        {
            output.WriteLine("---- testbed logs (test failed) ----");
            output.WriteLine(logs());
            throw;
        }
    }
}
