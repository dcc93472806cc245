namespace CertDaemon.Configuration;

/// <summary>
/// The configuration is invalid; <see cref="Problems"/> lists every problem found. The CLI maps this to exit code 78
/// and prints one line per problem.
/// </summary>
internal sealed class ConfigurationException : Exception
{
    public ConfigurationException(IReadOnlyList<ConfigurationProblem> problems)
        : base(FormatMessage(problems))
    {
        Problems = problems;
    }

    public ConfigurationException()
        : this([])
    {
    }

    public ConfigurationException(string message)
        : this([new ConfigurationProblem("$", message)])
    {
    }

    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [new ConfigurationProblem("$", message)];
    }

    /// <summary>The exit code for an invalid configuration (sysexits EX_CONFIG), which scripts and systemd can tell from a failure at run time.</summary>
    public const int ExitCode = 78;

    /// <summary>Every problem, in file order.</summary>
    public IReadOnlyList<ConfigurationProblem> Problems { get; }

    private static string FormatMessage(IReadOnlyList<ConfigurationProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        return problems.Count switch
        {
            0 => "The configuration is invalid.",
            1 => "The configuration is invalid: " + problems[0],
            _ => $"The configuration has {problems.Count} problems:" + Environment.NewLine
                + string.Join(Environment.NewLine, problems),
        };
    }
}
