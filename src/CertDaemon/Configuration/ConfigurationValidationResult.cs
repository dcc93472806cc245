namespace CertDaemon.Configuration;

/// <summary>What <see cref="CertDaemonOptionsValidator"/> found.</summary>
/// <param name="Problems">Every problem, empty when the options are valid.</param>
/// <param name="Options">The options with each certificate's domains normalized (punycode, lower case); names that failed stay as written.</param>
public sealed record ConfigurationValidationResult(IReadOnlyList<ConfigurationProblem> Problems, CertDaemonOptions Options)
{
    public bool IsValid => Problems.Count == 0;
}
