namespace CertDaemon.Acme;

/// <summary>
/// The order asked for a certificate profile the CA's directory does not list in meta.profiles; raised before any order
/// is sent. <see cref="OfferedProfiles"/> is what the CA does offer (possibly none).
/// </summary>
internal sealed class AcmeProfileNotOfferedException(string profile, IReadOnlyList<string> offeredProfiles, Uri directoryUrl)
    : AcmeException(offeredProfiles.Count == 0
        ? $"profile '{profile}' was requested but the CA at {directoryUrl} offers no profiles"
        : $"profile '{profile}' is not offered by the CA at {directoryUrl}; offered: {string.Join(", ", offeredProfiles)}")
{
    public string Profile { get; } = profile;

    public IReadOnlyList<string> OfferedProfiles { get; } = offeredProfiles;
}
