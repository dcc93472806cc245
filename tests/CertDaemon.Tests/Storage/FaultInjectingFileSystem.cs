using CertDaemon.Storage;

namespace CertDaemon.Tests.Storage;

/// <summary>
/// The real file system, except that step number <see cref="FailAt"/> (0-based, counting every call) throws
/// "No space left on device". With <see cref="DieAtFailure"/> every later step throws too: the process "died"
/// there, and whatever is on disk is what a crash at that point would leave.
/// </summary>
internal sealed class FaultInjectingFileSystem : IStoreFileSystem
{
    private readonly IStoreFileSystem _inner = LinuxFileSystem.Instance;
    private bool _dead;

    public int FailAt { get; init; } = -1;

    public bool DieAtFailure { get; init; }

    public bool ExchangeUnsupported { get; init; }

    public List<string> Steps { get; } = [];

    public string? FailedStep { get; private set; }

    public async Task WriteNewFileAsync(string path, ReadOnlyMemory<byte> contents, UnixFileMode mode, CancellationToken cancellationToken)
    {
        Step($"write {path}");
        await _inner.WriteNewFileAsync(path, contents, mode, cancellationToken);
    }

    public void Rename(string source, string destination)
    {
        Step($"rename {source} -> {destination}");
        _inner.Rename(source, destination);
    }

    public void RenameNoReplace(string source, string destination)
    {
        Step($"rename-noreplace {source} -> {destination}");
        _inner.RenameNoReplace(source, destination);
    }

    public void SetOwnership(string path, UnixFileMode mode, uint? group)
    {
        Step($"chown/chmod {path}");
        _inner.SetOwnership(path, mode, group);
    }

    public void Exchange(string first, string second)
    {
        Step($"exchange {first} <-> {second}");
        if (ExchangeUnsupported)
        {
            throw new NotSupportedException("RENAME_EXCHANGE disabled by the test");
        }

        _inner.Exchange(first, second);
    }

    public void CreateSymbolicLink(string path, string target)
    {
        Step($"symlink {path} -> {target}");
        _inner.CreateSymbolicLink(path, target);
    }

    public void CreateDirectory(string path, UnixFileMode mode)
    {
        Step($"mkdir {path}");
        _inner.CreateDirectory(path, mode);
    }

    public void SyncDirectory(string path)
    {
        Step($"fsync {path}");
        _inner.SyncDirectory(path);
    }

    public void DeleteFile(string path)
    {
        Step($"delete {path}");
        _inner.DeleteFile(path);
    }

    public void DeleteDirectory(string path)
    {
        Step($"rmdir {path}");
        _inner.DeleteDirectory(path);
    }

    private void Step(string description)
    {
        if (_dead)
        {
            throw new IOException($"simulated crash: {description} never happened");
        }

        var index = Steps.Count;
        Steps.Add(description);
        if (index == FailAt)
        {
            FailedStep = description;
            _dead = DieAtFailure;
            throw new IOException("No space left on device");
        }
    }
}
