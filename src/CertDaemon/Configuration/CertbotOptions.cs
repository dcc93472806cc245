namespace CertDaemon.Configuration;

/// <summary>What CertDaemon carries over from certbot on the same tree (section <c>Certbot</c>).</summary>
internal sealed record CertbotOptions
{
    /// <summary>
    /// Whether renewals run certbot's hooks as certbot would: <c>CertificateDirectory/renewal-hooks/{pre,deploy,post}/*</c>
    /// and the lineage's <c>pre_hook</c>, <c>renew_hook</c> (<c>--deploy-hook</c>) and <c>post_hook</c> from
    /// <c>renewal/NAME.conf</c>, deploy hooks with <c>RENEWED_LINEAGE</c> and <c>RENEWED_DOMAINS</c>. Turn it off once the
    /// hooks are moved into <c>DeployHooks</c>. The default value is true (nothing certbot ran is silently dropped).
    /// </summary>
    public bool RunHooks { get; init; } = true;
}
