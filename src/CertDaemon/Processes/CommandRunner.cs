using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace CertDaemon.Processes;

/// <summary>
/// Runs an argv command without a shell (nothing in a configured command is ever interpreted), with a time limit,
/// optional extra environment, and its output captured for messages. Used for <c>nginx -t</c>, the reload and the
/// deploy hooks.
/// </summary>
/// <remarks>
/// Standard input is closed at once, so a program that reads it sees end-of-file instead of hanging. On timeout or
/// cancellation the whole process tree is killed (SIGKILL): a reload command that forked helpers must not outlive us.
/// Hand-written rather than on CliWrap: CliWrap finishes a command only when its output pipes close, and a background
/// child that inherited them (a daemonising reload) holds them open for as long as it lives; there the read cannot be
/// bounded, here it stops <see cref="OutputDrainGrace"/> after the program exits.
/// </remarks>
internal sealed class CommandRunner(TimeProvider time)
{
    /// <summary>How much output is kept, 64 Ki characters: nginx's messages are a few lines; a runaway hook must not fill memory.</summary>
    public const int MaxOutputChars = 64 * 1024;

    /// <summary>
    /// How long output is still read after the program exited. A background process it started can hold the pipe
    /// open for ever; we stop reading then rather than wait on it.
    /// </summary>
    public static readonly TimeSpan OutputDrainGrace = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(10);

    /// <summary>Runs <paramref name="command"/> (program first; a bare name is looked up on PATH) and waits for it, at most <paramref name="timeout"/>.</summary>
    /// <param name="environment">Variables added to (or, with a <see langword="null"/> value, removed from) the inherited environment.</param>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> fires; the process tree is killed first.</exception>
    public async Task<CommandResult> RunAsync(
        IReadOnlyList<string> command, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentOutOfRangeException.ThrowIfZero(command.Count);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();

        var started = time.GetTimestamp();
        if (ExecutableLocator.Check(command[0], Environment.GetEnvironmentVariable("PATH")) is { } notRunnable)
        {
            return NotStarted(command, notRunnable, timeout, time.GetElapsedTime(started));
        }

        var psi = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in command.Skip(1))
        {
            psi.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            psi.Environment[name] = value;
        }

        using var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            // Found by the check above but still refused by execve (a bad interpreter line, noexec mount, a race).
            return NotStarted(command, $"program \"{command[0]}\" could not be executed: {e.Message}", timeout, time.GetElapsedTime(started));
        }

        process.StandardInput.Close();
        var output = new BoundedOutput(MaxOutputChars);
        using var drain = new CancellationTokenSource();
        var pumps = Task.WhenAll(
            PumpAsync(process.StandardOutput, output, drain.Token),
            PumpAsync(process.StandardError, output, drain.Token));

        using var timeoutSource = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, cancellationToken);
        var status = CommandStatus.Exited;
        try
        {
            await process.WaitForExitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await KillTreeAsync(process, output);
            await drain.CancelAsync();
            await pumps;
            throw;
        }
        catch (OperationCanceledException)
        {
            status = CommandStatus.TimedOut;
            await KillTreeAsync(process, output);
        }

        try
        {
            await pumps.WaitAsync(OutputDrainGrace, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            await drain.CancelAsync();
            await pumps;
            output.AppendNote("[output still open after the program exited (a background process kept it); stopped reading]");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await drain.CancelAsync();
            await pumps;
            throw;
        }

        return new CommandResult
        {
            Command = command,
            Status = status,
            ExitCode = process.HasExited ? process.ExitCode : null,
            Output = output.Text,
            OutputTruncated = output.Truncated,
            Duration = time.GetElapsedTime(started),
            Timeout = timeout,
        };
    }

    private static CommandResult NotStarted(IReadOnlyList<string> command, string error, TimeSpan timeout, TimeSpan duration) =>
        new() { Command = command, Status = CommandStatus.NotStarted, StartError = error, Timeout = timeout, Duration = duration };

    private static async Task PumpAsync(StreamReader reader, BoundedOutput output, CancellationToken cancellationToken)
    {
        var buffer = new char[4096];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer.AsMemory(), cancellationToken)) > 0)
            {
                output.Append(buffer.AsSpan(0, read));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Asked to stop reading (grace period over, or cancelled): what was read so far is the output.
            output.Truncate();
        }
    }

    private static async Task KillTreeAsync(Process process, BoundedOutput output)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the time limit and the kill: nothing left to kill.
            return;
        }
        catch (Win32Exception e)
        {
            output.AppendNote($"[killing the process tree failed: {e.Message}]");
            return;
        }

        using var killWait = new CancellationTokenSource(KillWait);
        try
        {
            await process.WaitForExitAsync(killWait.Token);
        }
        catch (OperationCanceledException) when (killWait.IsCancellationRequested)
        {
            output.AppendNote("[the process did not exit within 10 s of SIGKILL]");
        }
    }

    /// <summary>Keeps the first <c>max</c> characters of both streams, in arrival order.</summary>
    private sealed class BoundedOutput(int max)
    {
        private readonly Lock _lock = new();
        private readonly StringBuilder _text = new();
        private readonly List<string> _notes = [];
        private bool _truncated;

        public bool Truncated
        {
            get
            {
                lock (_lock)
                {
                    return _truncated;
                }
            }
        }

        public string Text
        {
            get
            {
                lock (_lock)
                {
                    var text = _text.ToString();
                    return _notes.Count == 0 ? text : text + (text.Length == 0 || text.EndsWith('\n') ? "" : "\n") + string.Join('\n', _notes);
                }
            }
        }

        public void Append(ReadOnlySpan<char> chunk)
        {
            lock (_lock)
            {
                var room = max - _text.Length;
                if (chunk.Length > room)
                {
                    _truncated = true;
                    chunk = chunk[..Math.Max(room, 0)];
                }

                _text.Append(chunk);
            }
        }

        public void Truncate()
        {
            lock (_lock)
            {
                _truncated = true;
            }
        }

        public void AppendNote(string note)
        {
            lock (_lock)
            {
                _notes.Add(note);
            }
        }
    }
}
