namespace CertDaemon.Logging;

/// <summary>
/// Stands in for a logged exception on a readable (text) log when Debug is off: <see cref="ToString"/> is the type and
/// message of the exception and of each inner one, one line each, with no stack frames. The frames are for developers
/// (<c>--verbose</c> or <c>Serilog:MinimumLevel</c> Debug shows them); an operator needs the cause and where to look,
/// which the messages carry.
/// </summary>
internal sealed class ExceptionSummary : Exception
{
    /// <summary>The hint that ends every summary, so the operator knows how to get the frames.</summary>
    public const string TraceHint = "(stack trace: run with --verbose or set Serilog:MinimumLevel to Debug)";

    private static readonly char[] Blanks = ['\r', '\n', ' ', '\t'];

    private readonly string _text;

    public ExceptionSummary(Exception original)
        : base((original ?? throw new ArgumentNullException(nameof(original))).Message)
    {
        var lines = new List<string>();
        var told = "";
        for (Exception? e = original; e is not null && lines.Count < 8; e = e.InnerException)
        {
            var message = OneLine(e.Message);
            if (lines.Count > 0 && told.Contains(message, StringComparison.Ordinal))
            {
                // The outer message already quotes it (e.g. "The AWS SDK reported: ..."): once is enough.
                continue;
            }

            var type = e is RedactedException redacted ? redacted.OriginalType : e.GetType().FullName ?? e.GetType().Name;
            lines.Add((lines.Count == 0 ? "" : " ---> ") + type + ": " + message);
            told += message;
        }

        lines.Add(TraceHint);
        _text = string.Join(Environment.NewLine, lines);
    }

    public ExceptionSummary()
        : this(new InvalidOperationException())
    {
    }

    public ExceptionSummary(string message)
        : this(new InvalidOperationException(message))
    {
    }

    public ExceptionSummary(string message, Exception innerException)
        : this(new InvalidOperationException(message, innerException))
    {
    }

    public override string ToString() => _text;

    /// <summary>A message on one line: line breaks and runs of spaces become one space.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', (message ?? "").Split(Blanks, StringSplitOptions.RemoveEmptyEntries));
}
