namespace CertDaemon.Storage;

/// <summary>What start-up recovery did for one certificate.</summary>
internal enum RecoveryOutcome
{
    /// <summary>Nothing was unfinished.</summary>
    Clean,

    /// <summary>Only leftovers (temporary files, unfinished version directories, unused archive files) were removed; the live set did not change.</summary>
    LeftoversRemoved,

    /// <summary>A switch had reached its commit point; its remaining steps were finished. The new set is live.</summary>
    Completed,

    /// <summary>A switch had not reached its commit point; it was undone. The old set is live.</summary>
    Undone,
}
