namespace CertDaemon.Tests.Docs;

/// <summary>A fenced block: its section, language (<c>sh</c>, <c>json</c>, ...), text and first line number.</summary>
internal sealed record ReadmeBlock(string Section, string Language, string Body, int FirstLine, bool IsTestConfiguration);
