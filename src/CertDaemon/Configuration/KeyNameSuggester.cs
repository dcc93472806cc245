namespace CertDaemon.Configuration;

/// <summary>Finds the known key an unknown one was probably meant to be ("Domain" -> "Domains").</summary>
internal static class KeyNameSuggester
{
    /// <summary>
    /// The closest of <paramref name="known"/> by optimal-string-alignment distance (ignoring case), when it is
    /// at most 2 edits away and fewer than half the candidate's length; otherwise <see langword="null"/>.
    /// </summary>
    public static string? Suggest(string unknown, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Distance(unknown.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance < bestDistance && distance <= 2 && distance * 2 < candidate.Length)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    // Levenshtein plus adjacent transpositions ("Emial" is one edit from "Email").
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
