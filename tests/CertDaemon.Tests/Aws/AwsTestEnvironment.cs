using System.Runtime.CompilerServices;

namespace CertDaemon.Tests.Aws;

/// <summary>
/// Keeps every test in this assembly away from the developer's real AWS setup: no instance metadata calls, and the
/// shared credentials/config files point at per-run files that tests own.
/// </summary>
/// <remarks>
/// This must happen before anything touches the SDK: AWSSDK.Core reads AWS_SHARED_CREDENTIALS_FILE and
/// AWS_CONFIG_FILE once per process (SharedCredentialsFile.DefaultFilePath is fixed at first use), so the profile
/// tests can only change the files' contents, never their location.
/// </remarks>
internal static class AwsTestEnvironment
{
    public static string SharedCredentialsFile { get; private set; } = string.Empty;

    public static string ConfigFile { get; private set; } = string.Empty;

#pragma warning disable CA2255 // A test assembly's module initializer is the only point guaranteed to run before the SDK reads these variables.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        var dir = Path.Combine(Path.GetTempPath(), "certdaemon-tests-aws", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        SharedCredentialsFile = Path.Combine(dir, "credentials");
        ConfigFile = Path.Combine(dir, "config");
        File.WriteAllText(SharedCredentialsFile, string.Empty);
        File.WriteAllText(ConfigFile, string.Empty);
        Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", SharedCredentialsFile);
        Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", ConfigFile);
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
    }
}
