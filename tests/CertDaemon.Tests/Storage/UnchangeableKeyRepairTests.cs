using System.Diagnostics;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Tests.Storage;

/// <summary>
/// A private key others may read, which this process may not chmod (the unit has no CAP_FOWNER, so root cannot change
/// a key another user owns; here <c>chattr +i</c>, which refuses even root): the repair reports it and does what else
/// it can, and never throws, so it cannot block every renewal of the certificate until it expires.
/// </summary>
public sealed class UnchangeableKeyRepairTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("certdaemon-unchangeable-key-").FullName;
    private string? _immutable;

    public void Dispose()
    {
        if (_immutable is not null)
        {
            Chattr("-i", _immutable);
        }

        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_world_readable_key_that_cannot_be_changed_is_reported_and_the_missing_link_still_put_back()
    {
        var store = new CertificateStore(_root, new CertificateStoreOptions(), TimeProvider.System, NullLogger.Instance);
        using var ca = new TestCertificates();
        var stored = await store.CommitAsync("site", ca.Issue("site.test"), CancellationToken.None);
        var key = Path.Combine(_root, "archive", "site", $"privkey{stored.Version}.pem");
        File.SetUnixFileMode(key, (UnixFileMode)Convert.ToInt32("644", 8));
        Chattr("+i", _immutable = key);
        var chain = Path.Combine(store.LivePath("site"), "chain.pem");
        File.Delete(chain);

        var result = await store.RepairLiveAsync("site", stored.Version, CancellationToken.None);

        Assert.True(File.Exists(chain), "the deleted link was not put back");
        Assert.Contains(result.Repaired, r => r.Contains("chain.pem", StringComparison.Ordinal));
        Assert.Contains(result.StillWrong, l => l.Contains("could not be tightened", StringComparison.Ordinal));
        Assert.Contains(result.StillWrong, l => l.Contains("has mode 0644", StringComparison.Ordinal));
    }

    private static void Chattr(string flag, string path)
    {
        using var process = Process.Start(new ProcessStartInfo("chattr", [flag, path]) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"chattr {flag} {path}: {error}");
    }
}
