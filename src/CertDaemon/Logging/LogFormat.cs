namespace CertDaemon.Logging;

// Public only because xunit theories (which must be public) take it as a parameter; nothing outside this
// assembly uses it.
/// <summary>How log events are written (<c>--log-format</c>).</summary>
public enum LogFormat
{
    /// <summary>
    /// <see cref="Json"/> when started by systemd (<c>JOURNAL_STREAM</c> or <c>INVOCATION_ID</c> is set),
    /// otherwise <see cref="Text"/>. The default.
    /// </summary>
    Auto,

    /// <summary>Compact JSON (CLEF), one event per line: what <c>journalctl -o cat | jq</c> reads.</summary>
    Json,

    /// <summary>One readable line per event, for a terminal.</summary>
    Text,
}
