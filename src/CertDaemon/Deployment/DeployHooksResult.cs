namespace CertDaemon.Deployment;

/// <summary>All deploy hooks run for one deployment, in the order they ran. Failures never undo the deployment.</summary>
internal sealed record DeployHooksResult(IReadOnlyList<DeployHookResult> Hooks)
{
    public bool AllSucceeded => Hooks.All(h => h.Succeeded);

    public IEnumerable<DeployHookResult> Failures => Hooks.Where(h => !h.Succeeded);
}
