namespace CertDaemon.Dns;

/// <summary>The CNAME chain of a challenge name could not be followed (loop, too deep, resolver failure).</summary>
internal sealed class CnameResolutionException : Exception
{
    public CnameResolutionException(string name, IReadOnlyList<string> chain, string problem, Exception? innerException = null)
        : base($"cannot follow the CNAME chain of {name} ({string.Join(" -> ", chain)}): {problem}", innerException)
    {
        Name = name;
        Chain = chain;
    }

    /// <summary>The name whose chain was followed.</summary>
    public string Name { get; }

    /// <summary>The names visited, starting with <see cref="Name"/>.</summary>
    public IReadOnlyList<string> Chain { get; }
}
