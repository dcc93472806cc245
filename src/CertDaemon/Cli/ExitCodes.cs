namespace CertDaemon.Cli;

/// <summary>The exit codes the manual page and README document: scripts and systemd units depend on them, so they never change.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The operation failed; the message says why and what was left untouched.</summary>
    public const int Failed = 1;

    public const int Usage = 2;

    /// <summary>The configuration is invalid (sysexits EX_CONFIG); every problem printed with its JSON path.</summary>
    public const int Configuration = 78;
}
