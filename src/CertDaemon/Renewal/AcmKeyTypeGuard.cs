using CertDaemon.Configuration;
using CertDaemon.Kernel;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Renewal;

/// <summary>
/// Refuses at configuration time what ACM would refuse at the next renewal: changing the key type of a certificate
/// that already has ARNs. ACM keeps a certificate's key algorithm on re-import to the same ARN, so the renewal
/// would fail in every region while nginx moved on (a re-import to the same ARN cannot change the key algorithm).
/// </summary>
internal static class AcmKeyTypeGuard
{
    /// <summary>
    /// <paramref name="loaded"/> when it failed already or no certificate changes key type under an ACM ARN;
    /// otherwise a failure listing each such change at its <c>$.Certificates[i].KeyType</c> path. Both the commands
    /// and the daemon's reload go through here, so a configuration refused by one is refused by the other.
    /// </summary>
    /// <param name="time">The caller's clock; the state store stamps with it if it has to set a corrupt file aside.</param>
    public static async Task<ConfigurationLoadResult> ApplyAsync(ConfigurationLoadResult loaded, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        if (!loaded.Succeeded)
        {
            return loaded;
        }

        var options = loaded.Configuration.Options;
        if (!Directory.Exists(Path.Combine(options.StateDirectory, "certificates")))
        {
            return loaded; // nothing was ever issued here, so nothing is in ACM; and a read must not create the directory
        }

        var states = new CertificateStateStore(options.StateDirectory, time, NullLogger.Instance);
        var problems = await CheckAsync(options, states, cancellationToken);
        return problems.Count == 0 ? loaded : ConfigurationLoadResult.Failure(loaded.SourcePath, problems);
    }

    /// <summary>Each certificate of <paramref name="options"/> whose key type differs from the one ACM holds it under, as a problem.</summary>
    public static async Task<IReadOnlyList<ConfigurationProblem>> CheckAsync(CertDaemonOptions options, CertificateStateStore states, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(states);
        var problems = new List<ConfigurationProblem>();
        for (var i = 0; i < options.Certificates.Count; i++)
        {
            var certificate = options.Certificates[i];
            if (certificate.Acm is not { Regions.Count: > 0 } acm)
            {
                continue;
            }

            CertificateState? state;
            try
            {
                state = await states.LoadAsync(certificate.Name, cancellationToken);
            }
            catch (CertificateStoreException)
            {
                continue; // an unreadable state file is reported where it is read; it says nothing about ACM here
            }

            if (state?.Current is not { } current || !KeyTypeNames.TryParse(current.KeyType, out var held) || held == certificate.KeyType)
            {
                continue;
            }

            var imported = state.Targets
                .Where(t => AcmTargetName.TryGetRegion(t.Key, out var region) && t.Value.Arn is not null && acm.Regions.Contains(region, StringComparer.Ordinal))
                .Select(t => t.Value.Arn!)
                .ToList();
            if (imported.Count > 0)
            {
                problems.Add(new ConfigurationProblem(
                    $"$.Certificates[{i}].KeyType",
                    $"is {KeyTypeNames.ToName(certificate.KeyType)}, but '{certificate.Name}' is already imported into ACM as {current.KeyType} " +
                    $"({string.Join(", ", imported)}); ACM keeps the key algorithm on re-import to the same ARN, so every renewal there would fail. " +
                    $"Keep {current.KeyType}, or add a certificate with a new Name and this key type (new ARNs) and move the listeners to it"));
            }
        }

        return problems;
    }
}
