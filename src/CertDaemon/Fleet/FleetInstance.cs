using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CertDaemon.Fleet;

/// <summary>
/// This process's identity in the fleet. <paramref name="Id"/> (the lease holder id) is unique per process: instance,
/// host name, process id and a random suffix, so two processes (even on one host, or a restarted one with a recycled
/// pid) never mistake each other's lease for their own. <paramref name="Instance"/> is the identity of the state
/// directory, kept across restarts: a restarted process recognises a lease its dead predecessor left.
/// </summary>
/// <param name="Instance">The persisted instance id; null when there is none (then no lease is ever reclaimed early).</param>
/// <param name="LockDirectory">
/// Where this instance's processes keep one lock file per certificate while they try or hold its lease (the state
/// directory's <c>locks/</c>); null with <paramref name="Instance"/>.
/// </param>
internal sealed record FleetInstance(string Id, string? Instance = null, string? LockDirectory = null)
{
    /// <summary>The file in the state directory that keeps the instance id: <c>INSTANCE MACHINE</c>, one line, 0600.</summary>
    public const string FileName = "fleet-instance";

    /// <summary>A process identity without a persisted instance (tests; tools that never renew).</summary>
    public static FleetInstance ForThisProcess() => new(ProcessId(null));

    /// <summary>
    /// This process's identity on <paramref name="stateDirectory"/>: reads the instance id from <see cref="FileName"/>,
    /// or creates it (random, written to a temporary file then linked into place, so a racing process reads a complete
    /// id or creates its own first and both end up with the winner's). An id written on another machine (a state
    /// directory copied into an image, a cloned disk) is replaced: clones must never share an identity, or each would
    /// take over the others' leases at once.
    /// </summary>
    public static FleetInstance ForStateDirectory(string stateDirectory)
    {
        Directory.CreateDirectory(stateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = Path.Combine(stateDirectory, FileName);
        var machine = MachineFingerprint();
        var instance = ReadInstance(path, machine) ?? CreateInstance(path, machine);
        return new(ProcessId(instance), instance, Path.Combine(stateDirectory, "locks"));
    }

    private static string ProcessId(string? instance) => string.Create(
        CultureInfo.InvariantCulture,
        $"{(instance is null ? "" : instance + "/")}{Environment.MachineName}/{Environment.ProcessId}/{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}");

    private static string? ReadInstance(string path, string machine)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var parts = File.ReadAllText(path).Trim().Split(' ', 2);
        return parts.Length == 2 && parts[0].Length > 0 && parts[1] == machine ? parts[0] : null;
    }

    private static string CreateInstance(string path, string machine)
    {
        var instance = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var temporary = path + "." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)) + ".tmp";
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            stream.Write(Encoding.UTF8.GetBytes($"{instance} {machine}\n"));
            stream.Flush(flushToDisk: true);
        }

        try
        {
            if (File.Exists(path))
            {
                // Written on another machine: replace it (rename is atomic; a racing reader sees old or new).
                File.Move(temporary, path, overwrite: true);
                return ReadInstance(path, machine) ?? instance;
            }

            File.Move(temporary, path, overwrite: false);
            return instance;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: use theirs.
            File.Delete(temporary);
            return ReadInstance(path, machine) ?? throw new IOException($"{path} is not a CertDaemon fleet instance file.");
        }
    }

    /// <summary>Host name plus systemd's machine id (cloud images regenerate it on first boot) when there is one.</summary>
    private static string MachineFingerprint()
    {
        const string machineIdFile = "/etc/machine-id";
        var machineId = File.Exists(machineIdFile) ? File.ReadAllText(machineIdFile).Trim() : "";
        return machineId.Length > 0 ? $"{Environment.MachineName}/{machineId}" : Environment.MachineName;
    }
}
