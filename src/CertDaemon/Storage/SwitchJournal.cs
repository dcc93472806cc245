namespace CertDaemon.Storage;

/// <summary>
/// <c>.certdaemon/NAME.switch.json</c>: written before a commit or rollback touches anything, removed after its
/// last step. On start, a journal whose <see cref="Version"/> is live means the switch passed its commit point and
/// is finished; any other state means it did not, and it is undone.
/// </summary>
/// <param name="Version">The version being made live.</param>
/// <param name="PreviousVersion">The version live before, if any.</param>
/// <param name="PreviousWasCertbotDirectory">live/NAME was certbot's real directory (the adoption switch).</param>
/// <param name="NewVersion">The switch belongs to a commit of a new version, whose files are discarded on undo.</param>
internal sealed record SwitchJournal(int Version, int? PreviousVersion, bool PreviousWasCertbotDirectory, bool NewVersion);
