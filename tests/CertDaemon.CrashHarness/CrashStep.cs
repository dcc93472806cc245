using System.Text.RegularExpressions;

namespace CertDaemon.CrashHarness;

/// <summary>
/// One boundary of the renewal's commit + deploy path where a renewal can be killed: a product log event, or a
/// file-system step of the store (a rename) that no event marks. Steps are recognised in order, so "the first state
/// write after the live switch" is told apart from the state writes before it.
/// </summary>
/// <param name="Name">What the crash test names the step (<c>live-renamed</c>).</param>
/// <param name="Event">The product event that ends the step, or null for a rename.</param>
/// <param name="RenamedTo">A pattern over the rename's destination (<c>{name}</c> stands for the certificate).</param>
/// <param name="Description">What has happened when the process stops here.</param>
internal sealed record CrashStep(string Name, string? Event, string? RenamedTo, string Description)
{
    /// <summary>Every boundary of one forced renewal (<c>renew NAME --force</c>), in the order the product passes them.</summary>
    public static IReadOnlyList<CrashStep> All { get; } =
    [
        new("issued", "CertificateIssued", null, "the CA issued the certificate; nothing is stored yet"),
        new("journal-written", null, @"/{name}\.switch\.json$", "the switch journal is written; no archive file yet"),
        new("archive-written", null, @"/archive/{name}/privkey\d+\.pem$", "the four archive files of the new version are written"),
        new("version-directory-built", null, @"/live/\.{name}\.v\d+$", "live/.NAME.vN points at the new archive files; live/NAME still at the old version"),
        new("live-renamed", null, @"/live/{name}$", "live/NAME renamed to the new version (the commit point); the journal is still there"),
        new("live-switched", "LiveSwitched", null, "the switch is finished and logged; old versions not pruned yet"),
        new("versions-pruned", "VersionPruned", null, "an old version was removed; the state does not know the new one"),
        new("state-recorded", null, @"/certificates/{name}\.json$", "the state names the new version; no target holds it"),
        new("nginx-tested", "NginxConfigurationTested", null, "nginx -t passed; nginx not reloaded"),
        new("nginx-reloaded", "NginxReloaded", null, "nginx reloaded; what it serves not checked"),
        new("served-verified", "ServedCertificateVerified", null, "nginx was seen serving the new serial; the target is not recorded"),
        new("target-recorded", null, @"/certificates/{name}\.json$", "the nginx target is recorded as holding the new serial"),
        new("schedule-recorded", null, @"/certificates/{name}\.json$", "the new version's renewal schedule is recorded; the check itself is not"),
    ];

    public static CrashStep Named(string name) =>
        All.SingleOrDefault(s => s.Name == name) ?? throw new ArgumentException($"no crash step '{name}' (known: {string.Join(", ", All.Select(s => s.Name))})");

    public bool Matches(string certificate, string? eventName, string? renamedTo) =>
        Event is not null
            ? eventName == Event
            : renamedTo is not null && Regex.IsMatch(renamedTo, RenamedTo!.Replace("{name}", Regex.Escape(certificate), StringComparison.Ordinal));
}
