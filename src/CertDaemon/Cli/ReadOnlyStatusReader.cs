using CertDaemon.Configuration;
using CertDaemon.Renewal;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Cli;

/// <summary>
/// The one place the read-only commands (<c>status</c>, <c>metrics</c>) build their <see cref="CertificateStatusReader"/>,
/// so both report the same facts the daemon's <c>/metrics</c> does: the state files, and the live files behind them
/// (broken links or keys, a state rebuilt from the live files when its file had to be set aside, a live certificate
/// CertDaemon did not write). No service graph, no lock, no network, and no write except one: a corrupt state file is
/// set aside and rebuilt from the live files, as any reader of it does. It must work while the CA or AWS is down and for
/// a monitoring user in the state directory's group.
/// </summary>
internal static class ReadOnlyStatusReader
{
    public static CertificateStatusReader Create(CertDaemonOptions options, TimeProvider time)
    {
        var store = new CertificateStore(options.CertificateDirectory, new CertificateStoreOptions(), time, NullLogger.Instance);
        var states = new CertificateStateStore(options.StateDirectory, time, NullLogger.Instance)
        {
            RebuildFromLiveFiles = new LiveStateRebuilder(options, store).Rebuild,
        };
        var adoption = new LiveCertificateAdoption(options, store, states, time, NullLogger<LiveCertificateAdoption>.Instance);
        return new CertificateStatusReader(options, new ManagedCertificateCatalog(options, states), states, time, adoption, store);
    }
}
