using CertDaemon.Configuration;
using CertDaemon.Kernel;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Renewal;

/// <summary>
/// Refuses at configuration time what ACM would refuse at the next renewal: changing the key type of a certificate
/// that already has ARNs. ACM keeps a certificate's key algorithm on re-import to the same ARN, so the renewal
/// would fail in every region while nginx moved on (TESTBED.md, ACM facts).
/// </summary>
internal static class AcmKeyTypeGuard
{
    public static IReadOnlyList<ConfigurationProblem> Check(CertDaemonOptions options)
    {
        var problems = new List<ConfigurationProblem>();
        if (!Directory.Exists(Path.Combine(options.StateDirectory, "certificates")))
        {
            return problems;
        }

        var states = new CertificateStateStore(options.StateDirectory, TimeProvider.System, NullLogger.Instance);
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
                state = states.LoadAsync(certificate.Name, CancellationToken.None).GetAwaiter().GetResult();
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
