using System.Runtime.InteropServices;

namespace CertDaemon.Hosting;

/// <summary>
/// Takes SIGHUP back when whoever started the daemon left it ignored. An ignored signal stays ignored across exec
/// (<c>nohup</c> does this on purpose, and so does anything started from a shell or runner that ignores SIGHUP), and
/// .NET respects an inherited ignore: <see cref="PosixSignalRegistration"/> then installs no handler at all, so
/// <c>kill -HUP</c> and <c>systemctl reload</c> would be dropped without a trace while the daemon kept running on its
/// old configuration. The daemon's SIGHUP means "reload", never "terminate", so taking it back does not undo what
/// <c>nohup</c> is for.
/// </summary>
/// <remarks>
/// Contract: call right before registering the SIGHUP handler, once per process (never after a registration: the
/// runtime's handler would be replaced behind its back). Only an ignored SIGHUP is changed, to its default action,
/// which the registration that follows replaces; between the two a SIGHUP would terminate, as it does before any
/// registration. Programs the daemon starts (nginx, hooks) then start with SIGHUP at its default, as under systemd.
/// A failing query changes nothing.
/// </remarks>
internal static class SighupDisposition
{
    private const int Sighup = 1;
    private const nint SigDfl = 0;
    private const nint SigIgn = 1;

    // struct sigaction is 152 bytes with glibc and musl on x86-64 and arm64; its first member is the handler.
    private const int SigactionLongs = 32;

    /// <summary>Sets an ignored SIGHUP back to its default action; returns whether it was ignored.</summary>
    public static bool RestoreDefaultIfIgnored()
    {
        var current = new long[SigactionLongs];
        if (sigaction(Sighup, 0, current) != 0 || (nint)current[0] != SigIgn)
        {
            return false;
        }

        _ = signal(Sighup, SigDfl);
        return true;
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs AllowUnsafeBlocks; plain integers and a blittable array marshal as they are.
    [DllImport("libc", SetLastError = true)]
    private static extern int sigaction(int signal, nint action, [Out] long[] previous);

    [DllImport("libc", SetLastError = true)]
    private static extern nint signal(int signal, nint handler);
#pragma warning restore SYSLIB1054
}
