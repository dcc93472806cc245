using CertDaemon.Deployment;

namespace CertDaemon.Renewal;

/// <summary>
/// A run whose certificate exists but did not reach every deploy target: the run failed, although nothing was lost
/// (each failed target keeps what it had). Carries each failed target's result; the message names target and cause.
/// </summary>
internal sealed class DeploymentFailedException : Exception
{
    public DeploymentFailedException(string certificateName, string serial, IReadOnlyList<DeploymentResult.Failed> failures)
        : base(Describe(certificateName, serial, failures))
    {
        CertificateName = certificateName;
        Serial = serial;
        Failures = failures;
    }

    public DeploymentFailedException()
    {
        CertificateName = "";
        Serial = "";
        Failures = [];
    }

    public DeploymentFailedException(string message)
        : base(message)
    {
        CertificateName = "";
        Serial = "";
        Failures = [];
    }

    public DeploymentFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        CertificateName = "";
        Serial = "";
        Failures = [];
    }

    public string CertificateName { get; }

    /// <summary>The serial that was being deployed.</summary>
    public string Serial { get; }

    public IReadOnlyList<DeploymentResult.Failed> Failures { get; }

    /// <summary>The failed targets' names, such as <c>nginx, acm:us-east-1</c>.</summary>
    public string Targets => string.Join(", ", Failures.Select(f => f.Target));

    private static string Describe(string certificateName, string serial, IReadOnlyList<DeploymentResult.Failed> failures) =>
        $"serial {serial} of {certificateName} was not deployed to {string.Join(", ", failures.Select(f => f.Target))}: "
        + string.Join(" ", failures.Select(f => $"{f.Target}: {FirstLine(f.Message)}"));

    private static string FirstLine(string message)
    {
        var end = message.IndexOf('\n', StringComparison.Ordinal);
        return end < 0 ? message : message[..end];
    }
}
