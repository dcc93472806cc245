using System.Net;

namespace CertDaemon.Testbed.Acme;

/// <summary>
/// A newOrder POST seen by <see cref="AcmeExtensionsProxy"/>: what the (unverified) JWS payload asked for and what the
/// client was answered. <see cref="Profile"/> and <see cref="Replaces"/> are null when the payload did not carry them;
/// a body that is not a flattened JWS with a JSON payload is recorded with no identifiers.
/// </summary>
public sealed record RecordedOrder(
    IReadOnlyList<RecordedIdentifier> Identifiers,
    string? Profile,
    string? Replaces,
    DateTimeOffset ReceivedAt,
    HttpStatusCode StatusCode);
