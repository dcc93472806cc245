using CertDaemon.Storage;
using CertDaemon.Tests.Storage;
using Microsoft.Extensions.Logging.Abstractions;

// Usage: CertDaemon.CrashHarness CERTIFICATE_DIRECTORY NAME
// Prepares a few certificate sets, prints "ready", then commits them in a loop (printing "committed N") until it is
// killed. Key generation happens before "ready" so that nearly all of the time after it is spent inside commits.
if (args.Length != 2)
{
    await Console.Error.WriteLineAsync("usage: CertDaemon.CrashHarness CERTIFICATE_DIRECTORY NAME");
    return 2;
}

using var certificates = new TestCertificates();
var materials = Enumerable.Range(0, 4).Select(_ => certificates.Issue(args[1])).ToList();
var store = new CertificateStore(args[0], new StoreOptions { KeepVersions = 3 }, TimeProvider.System, NullLogger.Instance);
await Console.Out.WriteLineAsync("ready");
for (var i = 0; ; i++)
{
    var stored = await store.CommitAsync(args[1], materials[i % materials.Count], CancellationToken.None);
    await Console.Out.WriteLineAsync($"committed {stored.Version}");
}
