using System.Diagnostics.CodeAnalysis;

namespace CertDaemon.Configuration;

/// <summary>Either a <see cref="LoadedConfiguration"/> or the problems that prevented it, never both.</summary>
internal sealed record ConfigurationLoadResult
{
    private ConfigurationLoadResult(string sourcePath, LoadedConfiguration? configuration, IReadOnlyList<ConfigurationProblem> problems)
    {
        SourcePath = sourcePath;
        Configuration = configuration;
        Problems = problems;
    }

    /// <summary>The file that was (or would have been) read.</summary>
    public string SourcePath { get; }

    /// <summary>The configuration when <see cref="Succeeded"/>.</summary>
    public LoadedConfiguration? Configuration { get; }

    /// <summary>Every problem found; empty when <see cref="Succeeded"/>.</summary>
    public IReadOnlyList<ConfigurationProblem> Problems { get; }

    [MemberNotNullWhen(true, nameof(Configuration))]
    public bool Succeeded => Configuration is not null;

    public static ConfigurationLoadResult Success(LoadedConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new(configuration.SourcePath, configuration, []);
    }

    public static ConfigurationLoadResult Failure(string sourcePath, IReadOnlyList<ConfigurationProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (problems.Count == 0)
        {
            throw new ArgumentException("A failure needs at least one problem.", nameof(problems));
        }

        return new(sourcePath, null, problems);
    }

    /// <summary>The configuration, or <see cref="ConfigurationException"/> carrying every problem.</summary>
    public LoadedConfiguration GetOrThrow() => Configuration ?? throw new ConfigurationException(Problems);
}
