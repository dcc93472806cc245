namespace CertDaemon.Issuance;

/// <summary>One ACME CA a certificate may come from: where it is, who we are there, and the profile to ask of it.</summary>
/// <param name="Index">0 for the configured CA (<c>Acme.DirectoryUrl</c>), 1.. for <c>Acme.Fallback</c> entries in order.</param>
/// <param name="Account">The account settings at this CA (its own key and EAB; contact and terms from <c>Acme</c>).</param>
/// <param name="Profile">The profile asked of this CA when the certificate names none of its own (profile names are per CA).</param>
internal sealed record AcmeCertificateAuthority(int Index, AcmeAccountSettings Account, string? Profile)
{
    public Uri DirectoryUrl => Account.DirectoryUrl;

    /// <summary><c>primary</c> or <c>fallback N</c>: how logs and <c>status</c> name the CA's place in the chain.</summary>
    public string Role => Index == 0 ? "primary" : $"fallback {Index}";

    public override string ToString() => $"{Role} CA {DirectoryUrl}";
}
