namespace CertDaemon.Tests.Docs;

/// <summary>One command line of a <c>sh</c> block.</summary>
internal sealed record ReadmeCommand(string Section, string Text, int Line)
{
    public override string ToString() => $"README.md:{Line} ({Section}): {Text}";
}
