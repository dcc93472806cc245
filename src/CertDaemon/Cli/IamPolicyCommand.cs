using System.CommandLine;
using CertDaemon.Permissions;

namespace CertDaemon.Cli;

/// <summary><c>certdaemon iam-policy</c>: the least-privilege IAM policy for this configuration on stdout, notes on stderr.</summary>
internal static class IamPolicyCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("iam-policy", "Print the least-privilege IAM policy JSON for the configured zones and ACM use");
        command.SetAction(ConfiguredAction.Create(error, (_, configuration, _) =>
        {
            var policy = IamPolicyBuilder.Build(configuration.Options);
            output.WriteLine(policy.Json);
            foreach (var note in policy.Notes)
            {
                error.WriteLine("note: " + note);
            }

            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }
}
