using System.Text.Json.Serialization;

namespace CertDaemon.Acme;

/// <summary>
/// A problem document (RFC 7807 as used by RFC 8555 6.7), with the per-identifier subproblems of RFC 8555 6.7.1.
/// </summary>
internal sealed record AcmeProblem
{
    /// <summary>A URI such as <c>urn:ietf:params:acme:error:rejectedIdentifier</c> (see <see cref="AcmeErrorTypes"/>).</summary>
    [JsonPropertyName("type")]
    public string Type { get; init => field = value ?? "about:blank"; } = "about:blank";

    [JsonPropertyName("detail")]
    public string? Detail { get; init; }

    [JsonPropertyName("status")]
    public int? Status { get; init; }

    [JsonPropertyName("identifier")]
    public AcmeIdentifier? Identifier { get; init; }

    [JsonPropertyName("subproblems")]
    public IReadOnlyList<AcmeProblem>? Subproblems { get; init; }

    /// <summary>The type without the ACME URN prefix (<c>badNonce</c>, <c>malformed</c>...), or the full type if it has none.</summary>
    [JsonIgnore]
    public string ShortType => Type.StartsWith(AcmeErrorTypes.Prefix, StringComparison.Ordinal) ? Type[AcmeErrorTypes.Prefix.Length..] : Type;

    public bool IsType(string type) => string.Equals(Type, type, StringComparison.Ordinal);

    /// <summary>"type: detail", then each subproblem as "identifier: type: detail"; for exception messages and logs.</summary>
    public string Describe()
    {
        var text = string.IsNullOrEmpty(Detail) ? Type : $"{Type}: {Detail}";
        if (Subproblems is { Count: > 0 } subproblems)
        {
            text += " [" + string.Join("; ", subproblems.Select(static s =>
                $"{s.Identifier?.ToString() ?? "(no identifier)"}: {s.ShortType}{(string.IsNullOrEmpty(s.Detail) ? "" : ": " + s.Detail)}")) + "]";
        }

        return text;
    }
}
