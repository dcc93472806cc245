namespace CertDaemon.Sandbox;

/// <summary>What <c>certdaemon-sandbox</c> was asked to do.</summary>
internal sealed record SandboxOptions
{
    /// <summary>
    /// Whether the ACM steps run without <c>--acm</c>. <see langword="false"/> until ACM import
    /// (<c>Certificates[].Acm.Regions</c>, <c>AWS_ENDPOINT_URL_ACM</c>) is merged; then set it to <see langword="true"/>
    /// and the sandbox test requires the ACM step too.
    /// </summary>
    public static bool AcmByDefault { get; } = true;

    /// <summary>
    /// Import into ACM (moto) and show the certificate as ACM describes it. Off unless <c>--acm</c> is given or
    /// <c>CERTDAEMON_SANDBOX_ACM=1</c> is set: ACM import (<c>Certificates[].Acm.Regions</c>) is still being merged.
    /// </summary>
    public bool Acm { get; init; }

    /// <summary>
    /// Names the <c>certdaemon</c> program to drive when <c>--certdaemon</c> is not given: scripts/test.sh points it at
    /// the Native AOT binary (eng/publish.sh), so the sandbox and every process-level test exercise the shipped form.
    /// Not <c>CERTDAEMON_</c>-prefixed: those variables are configuration overrides.
    /// </summary>
    public const string BinaryVariable = "TEST_CERTDAEMON_BINARY";

    /// <summary>The <c>certdaemon</c> program to drive. The default is <see cref="BinaryVariable"/>, else the one built next to the sandbox.</summary>
    public string CertDaemonPath { get; init; } = DefaultCertDaemonPath();

    /// <summary>
    /// certdaemon as built in its own output folder (src/CertDaemon/bin/CONFIG/TFM/), what install.sh publishes. The
    /// copy next to the sandbox resolves assemblies through the testbed's ASP.NET framework reference and lacks some
    /// that certdaemon needs on its own (Quartz's health-check abstractions).
    /// </summary>
    private static string DefaultCertDaemonPath()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        for (var directory = output.Parent; directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CertDaemon.sln")))
            {
                return Path.Combine(directory.FullName, "src", "CertDaemon", "bin", output.Parent!.Name, output.Name, "certdaemon");
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "certdaemon");
    }

    /// <summary>Keep the sandbox's files (configuration, certificates, nginx prefix) after it stops. The default is to remove them.</summary>
    public bool KeepFiles { get; init; }

    /// <summary>Where the sandbox's files go; the default is a fresh directory under the temp directory.</summary>
    public string? WorkDirectory { get; init; }

    public const string Usage = """
        usage: certdaemon-sandbox [--acm|--no-acm] [--certdaemon PATH] [--keep] [--work-dir DIR]
          --acm              also import into ACM (moto) and show what ACM holds (or CERTDAEMON_SANDBOX_ACM=1)
          --no-acm           leave ACM out (or CERTDAEMON_SANDBOX_ACM=0)
          --certdaemon PATH  the certdaemon program to drive (default: $TEST_CERTDAEMON_BINARY, else the one built
                             next to the sandbox; eng/publish.sh builds the native one)
          --keep             keep the configuration, certificates and nginx files afterwards
          --work-dir DIR     put them in DIR (default: a new directory under /tmp)
        """;

    /// <summary>Parses the command line; returns null (and the reason) on a usage error.</summary>
    public static SandboxOptions? Parse(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment, out string? problem)
    {
        problem = null;
        var options = new SandboxOptions
        {
            Acm = environment.TryGetValue("CERTDAEMON_SANDBOX_ACM", out var acm) && acm is not null ? acm is "1" or "true" : AcmByDefault,
        };
        if (environment.TryGetValue(BinaryVariable, out var binary) && !string.IsNullOrEmpty(binary))
        {
            options = options with { CertDaemonPath = Path.GetFullPath(binary) };
        }

        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--acm":
                    options = options with { Acm = true };
                    break;
                case "--no-acm":
                    options = options with { Acm = false };
                    break;
                case "--keep":
                    options = options with { KeepFiles = true };
                    break;
                case "--certdaemon" when i + 1 < args.Count:
                    options = options with { CertDaemonPath = Path.GetFullPath(args[++i]) };
                    break;
                case "--work-dir" when i + 1 < args.Count:
                    options = options with { WorkDirectory = Path.GetFullPath(args[++i]) };
                    break;
                default:
                    problem = $"unknown or incomplete option '{args[i]}'";
                    return null;
            }
        }

        return options;
    }
}
