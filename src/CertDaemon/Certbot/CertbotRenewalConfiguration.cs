namespace CertDaemon.Certbot;

/// <summary>
/// One <c>renewal/NAME.conf</c> of certbot (configobj syntax): the lineage's paths at the top, <c>[renewalparams]</c>
/// with what <c>certbot renew</c> does (authenticator, CA, key type, hooks). Only what CertDaemon uses is named here;
/// every key stays readable through <see cref="Top"/> and <see cref="RenewalParameters"/>.
/// </summary>
/// <param name="Name">The lineage name (the file name without <c>.conf</c>).</param>
/// <param name="Path">The file read.</param>
/// <param name="Top">Keys before the first section (<c>version</c>, <c>archive_dir</c>, <c>cert</c>, <c>privkey</c>, ...).</param>
/// <param name="RenewalParameters">Keys of <c>[renewalparams]</c>.</param>
/// <param name="WebrootMap">Keys of <c>[[webroot_map]]</c>: domain → web root (webroot authenticator).</param>
internal sealed record CertbotRenewalConfiguration(
    string Name,
    string Path,
    IReadOnlyDictionary<string, string> Top,
    IReadOnlyDictionary<string, string> RenewalParameters,
    IReadOnlyDictionary<string, string> WebrootMap)
{
    /// <summary>The ACME directory certbot renews from (<c>server</c>), e.g. Let's Encrypt production or staging.</summary>
    public string? Server => Parameter("server");

    /// <summary>How certbot proves control: <c>manual</c>, <c>webroot</c>, <c>nginx</c>, <c>standalone</c>, <c>dns-route53</c>, ...</summary>
    public string? Authenticator => Parameter("authenticator");

    /// <summary>The installer plugin (<c>nginx</c>, <c>apache</c>) when certbot also edits the web server configuration.</summary>
    public string? Installer => Parameter("installer");

    /// <summary>Shell command certbot runs before renewing (<c>pre_hook</c>).</summary>
    public string? PreHook => Parameter("pre_hook");

    /// <summary>Shell command certbot runs after a renewal run (<c>post_hook</c>).</summary>
    public string? PostHook => Parameter("post_hook");

    /// <summary>
    /// Shell command certbot runs after each successful renewal: <c>--deploy-hook</c>, which certbot stores as
    /// <c>renew_hook</c> (older files may say <c>deploy_hook</c>).
    /// </summary>
    public string? DeployHook => Parameter("renew_hook") ?? Parameter("deploy_hook");

    /// <summary><c>cert = .../live/NAME/cert.pem</c>: where certbot keeps the live certificate.</summary>
    public string? CertificatePath => Top.GetValueOrDefault("cert") is { Length: > 0 } path ? path : null;

    private string? Parameter(string key) =>
        RenewalParameters.GetValueOrDefault(key) is { Length: > 0 } value && value != "None" ? value : null;
}
