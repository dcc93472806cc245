namespace CertDaemon.Configuration;

/// <summary>One thing wrong with the configuration, located by a JSON path such as <c>$.Certificates[1].Domains[0]</c>.</summary>
/// <param name="Path">Where: <c>$</c> is the file itself, then <c>.Key</c> and <c>[index]</c> steps.</param>
/// <param name="Message">What is wrong and, where it helps, what would be right.</param>
internal sealed record ConfigurationProblem(string Path, string Message)
{
    /// <summary>The one-line form printed by <c>certdaemon config check</c>: <c>PATH: MESSAGE</c>.</summary>
    public override string ToString() => $"{Path}: {Message}";
}
