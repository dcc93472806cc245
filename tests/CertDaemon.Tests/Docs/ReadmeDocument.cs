namespace CertDaemon.Tests.Docs;

/// <summary>
/// The README as the tests read it: its fenced code blocks, each with its language and the <c>## </c> section it is in.
/// Conventions: commands an operator types are in <c>```sh</c> blocks (one command per line, <c>#</c> comments and
/// <c>\</c> continuations allowed); the configuration the EC2 walkthrough uses is the <c>```json</c> block right after
/// <c>&lt;!-- readme-test: configuration --&gt;</c>.
/// </summary>
internal sealed record ReadmeDocument(string Text, IReadOnlyList<ReadmeBlock> Blocks)
{
    public const string ConfigurationMarker = "<!-- readme-test: configuration -->";

    public static ReadmeDocument Load(string path)
    {
        var text = File.ReadAllText(path);
        var blocks = new List<ReadmeBlock>();
        var section = "";
        string? language = null;
        var body = new List<string>();
        var markedConfiguration = false;
        var nextIsConfiguration = false;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (language is null)
            {
                if (line.StartsWith("## ", StringComparison.Ordinal))
                {
                    section = line[3..].Trim();
                }
                else if (line.Trim() == ConfigurationMarker)
                {
                    nextIsConfiguration = true;
                }
                else if (line.StartsWith("```", StringComparison.Ordinal))
                {
                    language = line[3..].Trim();
                    body.Clear();
                    markedConfiguration = nextIsConfiguration;
                    nextIsConfiguration = false;
                }
                else if (line.Trim().Length > 0)
                {
                    nextIsConfiguration = false;
                }
            }
            else if (line.StartsWith("```", StringComparison.Ordinal))
            {
                blocks.Add(new ReadmeBlock(section, language, string.Join('\n', body), i + 1 - body.Count, markedConfiguration));
                language = null;
            }
            else
            {
                body.Add(line);
            }
        }

        return new ReadmeDocument(text, blocks);
    }

    /// <summary>The commands of the <c>sh</c> blocks in the given sections ("" is the part above the first <c>## </c>), in order.</summary>
    public IReadOnlyList<ReadmeCommand> Commands(Func<string, bool> inSection)
    {
        var commands = new List<ReadmeCommand>();
        foreach (var block in Blocks.Where(b => b.Language == "sh" && inSection(b.Section)))
        {
            var pending = "";
            var lines = block.Body.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i].Trim();
                if (pending.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
                {
                    continue;
                }

                if (line.EndsWith('\\'))
                {
                    pending += line[..^1].TrimEnd() + " ";
                    continue;
                }

                commands.Add(new ReadmeCommand(block.Section, (pending + line).Trim(), block.FirstLine + i));
                pending = "";
            }
        }

        return commands;
    }
}
