using CertDaemon.Processes;

namespace CertDaemon.Deployment;

/// <summary>How one deploy hook ran.</summary>
internal sealed record DeployHookResult(DeployHookScope Scope, CommandResult Command)
{
    public bool Succeeded => Command.Succeeded;
}
