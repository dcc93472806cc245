using System.CommandLine;

namespace CertDaemon.Cli;

/// <summary><c>certdaemon config check</c>: validates the configuration and prints every problem (exit 78) or a summary.</summary>
internal static class ConfigCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var check = new Command("check", "Validate the configuration and print every problem");
        check.SetAction(ConfiguredAction.Create(error, (_, configuration, _) =>
        {
            var options = configuration.Options;
            output.WriteLine($"{configuration.SourcePath}: configuration is valid");
            output.WriteLine($"  CA directory: {options.Acme.DirectoryUrl}");
            foreach (var fallback in options.Acme.Fallback)
            {
                output.WriteLine($"  fallback CA:  {fallback.DirectoryUrl}");
            }

            output.WriteLine($"  certificates: {options.Certificates.Count}");
            foreach (var certificate in options.Certificates)
            {
                output.WriteLine($"    {certificate.Name}: {string.Join(", ", certificate.Domains)}");
            }

            foreach (var line in Configuration.SourceNotes.For(options))
            {
                output.WriteLine("  note: " + line);
            }

            return Task.FromResult(ExitCodes.Success);
        }));
        return new Command("config", "Configuration commands") { check };
    }
}
