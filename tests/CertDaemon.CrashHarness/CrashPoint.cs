namespace CertDaemon.CrashHarness;

/// <summary>
/// Follows a run through <see cref="CrashStep.All"/> and, at the chosen step, prints <c>at STEP</c> and blocks the
/// thread that reached it forever (and every other thread that reports a step), so the test can SIGKILL the process
/// at exactly that boundary. Steps are reported synchronously by the product's logging and its file-system seam.
/// </summary>
internal sealed class CrashPoint(string certificate, string? stopAt)
{
    private readonly Lock _lock = new();
    private readonly ManualResetEventSlim _never = new();
    private int _next;

    /// <summary>The steps passed so far, in order.</summary>
    public IReadOnlyList<string> Passed
    {
        get
        {
            lock (_lock)
            {
                return [.. CrashStep.All.Take(_next).Select(s => s.Name)];
            }
        }
    }

    public void Event(string name) => Observe(name, null);

    public void Renamed(string destination) => Observe(null, destination);

    private void Observe(string? eventName, string? renamedTo)
    {
        lock (_lock)
        {
            if (_next >= CrashStep.All.Count || !CrashStep.All[_next].Matches(certificate, eventName, renamedTo))
            {
                return;
            }

            var step = CrashStep.All[_next++];
            if (step.Name == stopAt)
            {
                Console.Out.WriteLine($"at {step.Name}");
                Console.Out.Flush();
                // Blocking the reporting thread (never set) and holding the lock on purpose: the step must not return to
                // the product, and nothing else of the run gets past a step either. Only SIGKILL ends this.
                _never.Wait();
            }
        }
    }
}
