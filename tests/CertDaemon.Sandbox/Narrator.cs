using System.Diagnostics;
using System.Globalization;

namespace CertDaemon.Sandbox;

/// <summary>
/// Prints "N. What happens ... ok (1.2 s)" for each step, then what the step found. A failing step prints FAILED,
/// the reason and the evidence (a command's whole output, a server's log) and stops the run.
/// </summary>
internal sealed class Narrator(TextWriter output)
{
    private int _number;

    public int StepsPassed { get; private set; }

    public int StepsSkipped { get; private set; }

    public void Line(string text = "") => output.WriteLine(text);

    public async Task<T> StepAsync<T>(string title, Func<Step, Task<T>> action)
    {
        _number++;
        output.Write(string.Create(CultureInfo.InvariantCulture, $"{_number,2}. {title} ... "));
        output.Flush();
        var step = new Step();
        var stopwatch = Stopwatch.StartNew();
        T result;
        try
        {
            result = await action(step);
        }
        catch (SandboxStepException failure)
        {
            Fail(step, failure.Message, failure.Evidence);
            throw;
        }
        catch (OperationCanceledException)
        {
            output.WriteLine("interrupted");
            throw;
        }
        catch (Exception exception)
        {
            Fail(step, exception.Message, exception.ToString());
            throw new SandboxStepException(exception.Message, exception.ToString());
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ok ({stopwatch.Elapsed.TotalSeconds:F1} s)"));
        WriteDetails(step.Details);
        StepsPassed++;
        return result;
    }

    public Task StepAsync(string title, Func<Step, Task> action) =>
        StepAsync<bool>(title, async step =>
        {
            await action(step);
            return true;
        });

    /// <summary>A step that does not apply to this run, with the reason.</summary>
    public void Skip(string title, string reason)
    {
        _number++;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{_number,2}. {title} ... skipped"));
        output.WriteLine("      " + reason);
        StepsSkipped++;
    }

    private void Fail(Step step, string reason, string evidence)
    {
        output.WriteLine("FAILED");
        WriteDetails(step.Details);
        output.WriteLine("      why: " + reason);
        if (evidence.Length > 0)
        {
            foreach (var line in evidence.TrimEnd().Split('\n'))
            {
                output.WriteLine("      | " + line.TrimEnd('\r'));
            }
        }
    }

    private void WriteDetails(IReadOnlyList<string> details)
    {
        foreach (var line in details)
        {
            output.WriteLine("      " + line);
        }
    }
}
