namespace CertDaemon.Sandbox;

/// <summary>A step did not do what it should: <see cref="Exception.Message"/> says what, <see cref="Evidence"/> shows the output that proves it.</summary>
internal sealed class SandboxStepException(string message, string evidence = "") : Exception(message)
{
    public string Evidence { get; } = evidence;
}
