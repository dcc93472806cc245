namespace CertDaemon.Configuration;

/// <summary>What <see cref="CertDaemonOptionsValidator"/> found.</summary>
/// <param name="Problems">Every problem, empty when the options are valid.</param>
internal sealed record ConfigurationValidationResult(IReadOnlyList<ConfigurationProblem> Problems)
{
    public bool IsValid => Problems.Count == 0;
}
