using System.Text;

namespace CertDaemon.Tests.Architecture;

/// <summary>
/// Reads the compiled certdaemon assembly and checks its folder graph against <see cref="FolderLayering"/>: no cycle
/// between folders, no edge the table does not allow. Failures name the types on each offending edge.
/// </summary>
public sealed class LayeringTests
{
    private static readonly IReadOnlyList<TypeReference> References =
        TypeReferenceReader.Read(typeof(CertDaemon.Cli.ExitCodes).Assembly, FolderLayering.Root);

    [Fact]
    public void Every_folder_has_a_place_in_the_layering()
    {
        var unknown = References.SelectMany(r => new[] { r.From, r.To })
            .Select(FolderLayering.FolderOf)
            .Where(folder => !FolderLayering.MayUse.ContainsKey(folder))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(unknown.Count == 0,
            $"folders missing from FolderLayering (and docs/architecture.md): {string.Join(", ", unknown)}");
    }

    [Fact]
    public void No_folder_uses_a_folder_the_layering_forbids()
    {
        var forbidden = CrossFolder()
            .Where(edge => FolderLayering.MayUse.TryGetValue(edge.Key.From, out var allowed) && !allowed.Contains(edge.Key.To))
            .ToList();

        Assert.True(forbidden.Count == 0, "forbidden folder dependencies:\n" + Describe(forbidden));
    }

    [Fact]
    public void Folders_form_no_cycle()
    {
        var edges = CrossFolder().ToList();
        var cycles = FindCycles(edges.Select(e => e.Key).ToList());
        var inCycles = edges.Where(e => cycles.Any(c => c.Contains(e.Key.From) && c.Contains(e.Key.To))).ToList();

        Assert.True(cycles.Count == 0,
            "folder cycles: " + string.Join("; ", cycles.Select(c => string.Join(" ↔ ", c))) + "\n" + Describe(inCycles));
    }

    [Fact]
    public void The_reader_sees_calls_inside_method_bodies()
    {
        // Guards the test itself: CertificateLifecycle only *calls into* the store (no field of that type would be
        // needed to see it), and nested async state machines are attributed to their outer type.
        Assert.Contains(References, r => r.From.Name == "CertificateLifecycle" && r.To.Name == "LifecycleLog");
        Assert.Contains(References, r => r.From.Name == "CertDaemonServices" && r.To.Name == "CertificateLifecycle");
    }

    private static IEnumerable<IGrouping<(string From, string To), TypeReference>> CrossFolder() =>
        References
            .Where(r => FolderLayering.FolderOf(r.From) != FolderLayering.FolderOf(r.To))
            .GroupBy(r => (From: FolderLayering.FolderOf(r.From), To: FolderLayering.FolderOf(r.To)));

    private static string Describe(IEnumerable<IGrouping<(string From, string To), TypeReference>> edges)
    {
        var text = new StringBuilder();
        foreach (var edge in edges.OrderBy(e => e.Key.From, StringComparer.Ordinal).ThenBy(e => e.Key.To, StringComparer.Ordinal))
        {
            text.Append("  ").Append(edge.Key.From).Append(" → ").Append(edge.Key.To).Append(": ")
                .AppendJoin(", ", edge.Select(r => $"{r.From.FullName} uses {r.To.FullName}").Order(StringComparer.Ordinal))
                .Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Strongly connected components with more than one folder (Tarjan).</summary>
    private static List<List<string>> FindCycles(IReadOnlyList<(string From, string To)> edges)
    {
        var next = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).Distinct().ToList());
        var nodes = edges.SelectMany(e => new[] { e.From, e.To }).Distinct().Order(StringComparer.Ordinal).ToList();
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var components = new List<List<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var target in next.GetValueOrDefault(node) ?? [])
            {
                if (!index.ContainsKey(target))
                {
                    Visit(target);
                    low[node] = Math.Min(low[node], low[target]);
                }
                else if (onStack.Contains(target))
                {
                    low[node] = Math.Min(low[node], index[target]);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                if (component.Count > 1)
                {
                    components.Add([.. component.Order(StringComparer.Ordinal)]);
                }
            }
        }

        foreach (var node in nodes.Where(n => !index.ContainsKey(n)))
        {
            Visit(node);
        }

        return components;
    }
}
