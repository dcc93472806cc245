using CertDaemon.Logging;

namespace CertDaemon.Cli;

/// <summary>How a failed command speaks to the operator: what failed, why, and that nothing working was touched.</summary>
internal static class CommandFailure
{
    public static int Report(TextWriter error, string what, Exception exception, string untouched)
    {
        // One line per cause, each said once: an inner message the outer one already quotes is not repeated.
        var told = ExceptionSummary.OneLine(exception.Message);
        error.WriteLine($"certdaemon: {what} failed: {told}");
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            var message = ExceptionSummary.OneLine(inner.Message);
            if (!told.Contains(message, StringComparison.Ordinal))
            {
                error.WriteLine($"  caused by: {message}");
                told += message;
            }
        }

        error.WriteLine(untouched);
        return ExitCodes.Failed;
    }
}
