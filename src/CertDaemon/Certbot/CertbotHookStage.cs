namespace CertDaemon.Certbot;

/// <summary>When certbot runs a hook, and so when CertDaemon runs it.</summary>
internal enum CertbotHookStage
{
    /// <summary>Before a renewal is attempted (<c>renewal-hooks/pre/</c>, <c>pre_hook</c>).</summary>
    Pre,

    /// <summary>After a renewed certificate is in place (<c>renewal-hooks/deploy/</c>, <c>renew_hook</c>), with <c>RENEWED_LINEAGE</c> and <c>RENEWED_DOMAINS</c>.</summary>
    Deploy,

    /// <summary>After the renewal attempt, whether it succeeded or not (<c>renewal-hooks/post/</c>, <c>post_hook</c>).</summary>
    Post,
}
