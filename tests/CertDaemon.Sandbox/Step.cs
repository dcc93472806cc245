namespace CertDaemon.Sandbox;

/// <summary>One narrated step while it runs: what it found, printed under its "ok" line.</summary>
internal sealed class Step
{
    private readonly List<string> _details = [];

    public IReadOnlyList<string> Details => _details;

    /// <summary>A line printed (indented) under the step once it finished.</summary>
    public void Say(string line) => _details.Add(line);

    /// <summary>Several lines (e.g. a command's output), each indented by <paramref name="indent"/> more spaces.</summary>
    public void SayBlock(string text, int indent = 2)
    {
        foreach (var line in text.TrimEnd().Split('\n'))
        {
            _details.Add(new string(' ', indent) + line.TrimEnd('\r'));
        }
    }
}
