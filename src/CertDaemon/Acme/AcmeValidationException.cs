namespace CertDaemon.Acme;

/// <summary>
/// An authorization ended in a state other than valid (RFC 8555 7.1.6): usually "invalid" because the CA could not
/// validate the challenge. Names the identifier and carries the challenge's error (pebble's or the CA's detail).
/// </summary>
internal sealed class AcmeValidationException : AcmeException
{
    public AcmeValidationException(AcmeAuthorization authorization, AcmeChallenge? failedChallenge)
        : base(FormatMessage(authorization, failedChallenge))
    {
        Authorization = authorization;
        Identifier = authorization.Identifier;
        ChallengeType = failedChallenge?.Type;
        Error = failedChallenge?.Error;
    }

    public AcmeAuthorization Authorization { get; }

    public AcmeIdentifier Identifier { get; }

    public string? ChallengeType { get; }

    /// <summary>The failed challenge's problem document, if the CA gave one.</summary>
    public AcmeProblem? Error { get; }

    private static string FormatMessage(AcmeAuthorization authorization, AcmeChallenge? challenge)
    {
        var name = authorization.Wildcard ? $"{authorization.Identifier} (wildcard)" : authorization.Identifier.ToString();
        var status = AcmeStatusJsonConverter.Format(authorization.Status);
        var reason = challenge?.Error is { } error ? error.Describe() : "the CA gave no challenge error";
        var type = challenge is null ? "" : $" {challenge.Type}";
        return $"authorization for {name} is {status}:{type} {reason} ({authorization.Url})";
    }
}
