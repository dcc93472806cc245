using System.Security.Cryptography;
using System.Text;
using CertDaemon.Aws;
using CertDaemon.Aws.Acm;
using CertDaemon.Configuration;
using CertDaemon.Dns;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Renewal.Sources.AcmExport;

/// <summary>
/// <c>Issuer: "acm-export"</c>: the certificate lives in ACM (its ARN is the one a load balancer or CloudFront uses) and
/// is exported to the local files. Finds the certificate (the configured ARN, the one the live files came from, or one
/// tagged <c>certdaemon:name</c>), requests it only when there is none, writes ACM's validation CNAMEs into Route53,
/// waits until ACM has issued it, exports it under a fresh random passphrase and verifies it.
/// </summary>
/// <remarks>
/// Contract: returns a verified certificate or throws (<see cref="AcmExportException"/> for what ACM did or returned);
/// writes nothing locally. A certificate is never requested twice for the same names: a run that gives up waiting
/// for validation finds the same certificate by its tag at the next check. Validation records stay in Route53 (ACM's
/// managed renewal validates with them again).
/// </remarks>
internal sealed class AcmExportIssuer(
    IAcmClientFactory acm, IValidationRecordWriter validationRecords, CertDaemonOptions options, TimeProvider time, ILogger<AcmExportIssuer> logger)
{
    /// <summary>The tag CertDaemon puts on the certificates it requests, to find them again.</summary>
    public const string NameTag = "certdaemon:name";

    private static readonly TimeSpan FirstPoll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxPoll = TimeSpan.FromSeconds(20);

    public async Task<AcmExportResult> ObtainAsync(ManagedCertificate certificate, CurrentCertificate? current, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var acmOptions = certificate.Acm ?? throw new AcmExportException(certificate.Name, null, "an acm-export certificate needs Acm.Regions");
        var region = acmOptions.Regions[0];
        var client = acm.Create(region);
        var arn = await FindOrRequestAsync(client, certificate, acmOptions, current, cancellationToken);
        var detail = await WaitForIssuedAsync(client, certificate, arn, acmOptions.ValidationTimeout, cancellationToken);

        // A fresh passphrase per export, printable ASCII so its bytes mean the same to ACM and to the PKCS#8 decryption.
        var passphrase = Encoding.ASCII.GetBytes(RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 32));
        AcmExportedCertificate exported;
        try
        {
            exported = await client.ExportCertificateAsync(arn, passphrase, cancellationToken);
        }
        catch (AwsServiceException exception) when (exception.Code is "ValidationException" or "InvalidArnException" or "ResourceNotFoundException")
        {
            throw new AcmExportException(certificate.Name, arn, $"ACM refused to export it ({exception.Code}: {exception.ServiceMessage}); only certificates requested with export enabled can be exported", exception);
        }

        if (options.Testing.AcmExportSkipChainTrust)
        {
            AcmExportLog.ChainTrustSkipped(logger, certificate.Name);
        }

        var issued = ExportedCertificateOpener.Open(
            certificate.Name, arn, certificate.Domains, certificate.KeyType, exported, passphrase, options.Testing.AcmExportSkipChainTrust, time.GetUtcNow());
        CryptographicOperations.ZeroMemory(passphrase);
        if (detail.Serial is { } acmSerial && !AcmSerial.AreEqual(acmSerial, issued.SerialHex))
        {
            throw new AcmExportException(certificate.Name, arn, $"ACM describes serial {acmSerial} but exported {issued.SerialHex}");
        }

        AcmExportLog.Exported(logger, certificate.Name, arn, issued.SerialHex, issued.NotAfter);
        return new AcmExportResult(issued, arn, region, AcmClient.DefaultEndpoint(region));
    }

    /// <summary>Asks ACM about the certificate the live files came from (no export): what <see cref="AcmExportPlanner"/> decides on.</summary>
    public async Task<AcmCertificateDetail> DescribeAsync(ManagedCertificate certificate, string arn, CancellationToken cancellationToken) =>
        await acm.Create(certificate.Acm!.Regions[0]).DescribeCertificateAsync(arn, cancellationToken);

    /// <summary>RenewCertificate for an ineligible certificate, when the operator asked for it (<c>Acm.RenewWhenIneligible</c>).</summary>
    public async Task RequestRenewalAsync(ManagedCertificate certificate, string arn, CancellationToken cancellationToken)
    {
        await acm.Create(certificate.Acm!.Regions[0]).RenewCertificateAsync(arn, cancellationToken);
        AcmExportLog.RenewalRequested(logger, certificate.Name, arn);
    }

    private async Task<string> FindOrRequestAsync(
        IAcmClient client, ManagedCertificate certificate, AcmOptions acmOptions, CurrentCertificate? current, CancellationToken cancellationToken)
    {
        var keyAlgorithm = AcmKeyAlgorithms.FromKeyType(certificate.KeyType);
        if (acmOptions.CertificateArn is { } configured)
        {
            var detail = await client.DescribeCertificateAsync(configured, cancellationToken);
            if (!string.Equals(detail.ExportOption, "ENABLED", StringComparison.Ordinal))
            {
                throw new AcmExportException(certificate.Name, configured,
                    "it is not exportable (it was requested without Options.Export = ENABLED, which cannot be changed): request an exportable certificate, or remove Acm.CertificateArn to let CertDaemon request one");
            }

            RequireSameNames(certificate, detail);
            return configured;
        }

        if (current?.SourceArn is { } previous && await IsUsableAsync(client, certificate, previous, keyAlgorithm, cancellationToken))
        {
            return previous;
        }

        // A request from an earlier run (crashed, or still waiting for validation) carries our tag: use it.
        string? nextToken = null;
        do
        {
            var page = await client.ListCertificatesAsync(AcmKeyAlgorithms.All, nextToken, null, cancellationToken);
            foreach (var summary in page.Certificates.Where(s => string.Equals(s.DomainName, certificate.Domains[0], StringComparison.OrdinalIgnoreCase)))
            {
                var tags = await client.ListTagsForCertificateAsync(summary.CertificateArn, cancellationToken);
                if (tags.TryGetValue(NameTag, out var tagged) && tagged == certificate.Name
                    && await IsUsableAsync(client, certificate, summary.CertificateArn, keyAlgorithm, cancellationToken))
                {
                    return summary.CertificateArn;
                }
            }

            nextToken = page.NextToken;
        }
        while (nextToken is not null);

        var tagsToSet = new Dictionary<string, string>(acmOptions.Tags, StringComparer.Ordinal) { [NameTag] = certificate.Name };
        var arn = await client.RequestCertificateAsync(
            new AcmCertificateRequest(certificate.Domains, keyAlgorithm, IdempotencyToken(certificate, keyAlgorithm), Exportable: true, tagsToSet), cancellationToken);
        AcmExportLog.Requested(logger, certificate.Name, client.Region, arn, certificate.Domains);
        return arn;
    }

    private static async Task<bool> IsUsableAsync(IAcmClient client, ManagedCertificate certificate, string arn, string keyAlgorithm, CancellationToken cancellationToken)
    {
        AcmCertificateDetail detail;
        try
        {
            detail = await client.DescribeCertificateAsync(arn, cancellationToken);
        }
        catch (AwsServiceException exception) when (exception.Code == "ResourceNotFoundException")
        {
            return false;
        }

        return string.Equals(detail.ExportOption, "ENABLED", StringComparison.Ordinal)
            && detail.Type == "AMAZON_ISSUED"
            && detail.Status is "ISSUED" or "PENDING_VALIDATION"
            && (detail.KeyAlgorithm is null || detail.KeyAlgorithm == keyAlgorithm || !IsKnownAlgorithm(detail.KeyAlgorithm))
            && SameNames(certificate, detail);
    }

    // moto reports RSA_2048 for every requested certificate; an unknown spelling is not a reason to request again.
    private static bool IsKnownAlgorithm(string algorithm) => AcmKeyAlgorithms.All.Contains(algorithm, StringComparer.Ordinal);

    private static bool SameNames(ManagedCertificate certificate, AcmCertificateDetail detail)
    {
        var names = new HashSet<string>(detail.SubjectAlternativeNames, StringComparer.OrdinalIgnoreCase);
        if (detail.DomainName is { } domain)
        {
            names.Add(domain);
        }

        return names.SetEquals(certificate.Domains);
    }

    private static void RequireSameNames(ManagedCertificate certificate, AcmCertificateDetail detail)
    {
        if (!SameNames(certificate, detail))
        {
            throw new AcmExportException(certificate.Name, detail.CertificateArn,
                $"its names ({string.Join(", ", detail.SubjectAlternativeNames)}) are not the configured ones ({string.Join(", ", certificate.Domains)})");
        }
    }

    private async Task<AcmCertificateDetail> WaitForIssuedAsync(
        IAcmClient client, ManagedCertificate certificate, string arn, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        var interval = FirstPoll;
        var recordsWritten = false;
        while (true)
        {
            var detail = await client.DescribeCertificateAsync(arn, cancellationToken);
            switch (detail.Status)
            {
                case "ISSUED":
                    if (!recordsWritten)
                    {
                        // Managed renewal validates with the same records: make sure they are (still) there.
                        await WriteValidationRecordsAsync(certificate, detail, cancellationToken);
                    }

                    return detail;
                case "PENDING_VALIDATION":
                    if (!recordsWritten && detail.DomainValidations.Count > 0 && detail.DomainValidations.All(v => v.RecordName is not null && v.RecordValue is not null))
                    {
                        await WriteValidationRecordsAsync(certificate, detail, cancellationToken);
                        recordsWritten = true;
                    }

                    break;
                default:
                    throw new AcmExportException(certificate.Name, arn,
                        $"ACM reports it {detail.Status}{(detail.FailureReason is null ? "" : $" ({detail.FailureReason})")}: it cannot be issued or exported");
            }

            var remaining = deadline - time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                var records = recordsWritten ? "its validation CNAME records are in Route53" : "ACM had not yet named its validation records";
                throw new AcmExportException(certificate.Name, arn,
                    $"ACM has not validated it within {timeout} (still PENDING_VALIDATION; {records}); the next check waits on the same certificate, nothing is requested again");
            }

            await Task.Delay(interval < remaining ? interval : remaining, time, cancellationToken);
            interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, MaxPoll.Ticks));
        }
    }

    private async Task WriteValidationRecordsAsync(ManagedCertificate certificate, AcmCertificateDetail detail, CancellationToken cancellationToken)
    {
        var records = detail.DomainValidations
            .Where(v => v.RecordName is not null && v.RecordValue is not null && string.Equals(v.RecordType ?? "CNAME", "CNAME", StringComparison.OrdinalIgnoreCase))
            .Select(v => (v.RecordName!, v.RecordValue!))
            .ToList();
        if (records.Count == 0)
        {
            return;
        }

        var written = await validationRecords.WriteAsync(records, certificate.HostedZoneId, certificate.RoleArn, certificate.ExternalId, cancellationToken);
        foreach (var (zone, changeId, names) in written)
        {
            AcmExportLog.ValidationRecordsWritten(logger, certificate.Name, zone, changeId, names);
        }
    }

    /// <summary>Same names, key and certificate name → same token: a repeated request within ACM's hour makes no second certificate.</summary>
    private static string IdempotencyToken(ManagedCertificate certificate, string keyAlgorithm)
    {
        var text = certificate.Name + "\n" + keyAlgorithm + "\n" + string.Join("\n", certificate.Domains.Order(StringComparer.Ordinal));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
    }
}
