namespace CertDaemon.Cli;

/// <summary>How a failed command speaks to the operator: what failed, why, and that nothing working was touched.</summary>
internal static class CommandFailure
{
    public static int Report(TextWriter error, string what, Exception exception, string untouched)
    {
        error.WriteLine($"certdaemon: {what} failed: {exception.Message}");
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            error.WriteLine($"  caused by: {inner.Message}");
        }

        error.WriteLine(untouched);
        return ExitCodes.Failed;
    }
}
