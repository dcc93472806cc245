using CertDaemon.Issuance;
using CertDaemon.Tests.Testbed;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Tests.Issuance;

/// <summary>The account key lives in the state directory (0600) and is reused; the account is registered once.</summary>
public sealed class AcmeAccountProvisionerTests(PebbleFixture pebble) : IClassFixture<PebbleFixture>, IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), "certdaemon-account-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_key_is_stored_privately_and_the_same_account_is_used_on_the_next_run_with_an_updated_contact()
    {
        var provisioner = new AcmeAccountProvisioner(_state, TimeProvider.System, NullLoggerFactory.Instance);
        using var http = pebble.Server.CreateHttpClient();
        var settings = new AcmeAccountSettings(pebble.Server.DirectoryUrl, "ops@example.test", AcceptTermsOfService: true);

        Uri firstUrl;
        using (var first = await provisioner.ConnectAsync(http, settings, CancellationToken.None))
        {
            firstUrl = first.AccountUrl!;
        }

        var directory = provisioner.AccountDirectory(pebble.Server.DirectoryUrl);
        var keyPath = Path.Combine(directory, "private_key.pem");
        var keyBefore = await File.ReadAllTextAsync(keyPath);
        using var second = await provisioner.ConnectAsync(http, settings with { Email = "new@example.test" }, CancellationToken.None);
        var lookup = await second.FindAccountAsync(CancellationToken.None);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        Assert.Contains("BEGIN PRIVATE KEY", keyBefore, StringComparison.Ordinal);
        Assert.Equal(keyBefore, await File.ReadAllTextAsync(keyPath));
        Assert.Equal(firstUrl, second.AccountUrl);
        Assert.True(lookup.Found);
        Assert.Equal(["mailto:new@example.test"], lookup.Account!.Contact);
        Assert.Contains("new@example.test", await File.ReadAllTextAsync(Path.Combine(directory, "account.json")), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }
}
