namespace CertDaemon.Tests.Cli;

/// <summary>
/// Mistakes an operator makes on the command line get an error that names the mistake, never a silent fallback or a
/// message that sends them looking elsewhere.
/// </summary>
public sealed class OperatorMistakeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("certdaemon-mistakes-").FullName;

    [Fact]
    public async Task An_unknown_log_format_is_refused_with_the_accepted_values()
    {
        var result = await CliProcess.RunAsync(["status", "--config", WriteConfiguration(), "--log-format", "xml"]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--log-format must be auto, json or text, not \"xml\"", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_given_as_the_configuration_file_is_named_as_a_directory()
    {
        var result = await CliProcess.RunAsync(["config", "check", "--config", _directory]);

        Assert.True(result.ExitCode == 78, result.ToString());
        Assert.Contains($"{_directory}: it is a directory; name the JSON file itself", result.Error + result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("denied", result.Error + result.Output, StringComparison.OrdinalIgnoreCase);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteConfiguration()
    {
        var path = Path.Combine(_directory, "certdaemon.json");
        File.WriteAllText(path, $$"""
            {
              "Acme": { "DirectoryUrl": "https://acme.example/directory", "Email": "ops@example.com", "AcceptTermsOfService": true },
              "StateDirectory": "{{Path.Combine(_directory, "state")}}",
              "CertificateDirectory": "{{Path.Combine(_directory, "certs")}}",
              "Certificates": [ { "Name": "site", "Domains": ["site.example.com"] } ]
            }
            """);
        return path;
    }
}
