namespace CertDaemon.Deployment;

/// <summary>Where a deploy hook was configured.</summary>
internal enum DeployHookScope
{
    /// <summary>Top-level <c>DeployHooks</c>: run for every certificate, first.</summary>
    Global,

    /// <summary>The certificate's own <c>DeployHooks</c>: run after the global ones.</summary>
    Certificate,
}
