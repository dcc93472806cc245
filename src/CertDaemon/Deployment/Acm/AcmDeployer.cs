using System.Collections.Concurrent;
using System.Globalization;
using CertDaemon.Aws;
using CertDaemon.Aws.Acm;
using CertDaemon.Configuration;
using CertDaemon.Kernel;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Deployment.Acm;

/// <summary>
/// Imports certificates into AWS Certificate Manager in one region (target <c>acm:REGION</c>); one instance per region.
/// </summary>
/// <remarks>
/// <para>One deployment:</para>
/// <list type="number">
/// <item>Read the live files: leaf (<c>cert.pem</c>), chain without the leaf (<c>chain.pem</c>), key re-exported as
/// unencrypted PKCS#8 PEM after checking it belongs to the leaf.</item>
/// <item>Find the certificate's ARN: the one kept in the state directory (<see cref="TargetState.Arn"/> of target
/// <c>acm:REGION</c>); when unknown, or gone from ACM, the certificate tagged <c>certdaemon:name=NAME</c>
/// (ListCertificates with every key type, candidates whose DomainName is one of the names first, then the other
/// imported certificates). Never a second certificate for the same name.</item>
/// <item>Refuse a key algorithm change: ACM keeps a certificate's algorithm across re-imports, so an <c>ec256</c>
/// certificate cannot replace an <c>RSA_2048</c> one; the result explains what to do.</item>
/// <item>Import: a new certificate with the tags (name tag plus <see cref="AcmOptions.Tags"/>); an existing one in place
/// (same ARN, listeners and distributions stay attached) <b>without</b> tags, which ACM refuses on re-import; nothing
/// when ACM already holds the serial. A new ARN is written to the state directory at once.</item>
/// <item>Missing or changed tags are set with AddTagsToCertificate (tags added by others are left alone).</item>
/// <item>DescribeCertificate must then show the new serial and notAfter, or the deployment failed.</item>
/// </list>
/// <para>
/// Failures are results (<see cref="DeploymentResult.Failed"/>, stage <see cref="DeploymentStage.Other"/>) with ACM's
/// error; nothing is undone elsewhere (nginx keeps the new version) and the lifecycle retries at the next check.
/// Deployments of one certificate are serialised; different certificates run in parallel.
/// </para>
/// </remarks>
internal sealed class AcmDeployer : ICertificateDeployer, IDisposable
{
    /// <summary>The tag that names the certificate; how a lost ARN is found again.</summary>
    public const string NameTagKey = "certdaemon:name";

    private readonly IAcmClient _client;
    private readonly CertificateStateStore? _state;
    private readonly AcmDeployerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    /// <param name="client">ACM in this deployer's region (<see cref="IAcmClientFactory.Create"/>); its region is the target's.</param>
    /// <param name="state">
    /// Where the ARN is remembered (<see cref="TargetState.Arn"/> of <c>acm:REGION</c>): read before each deployment and
    /// written as soon as a new ARN exists. Without a store every deployment finds the ARN by tag.
    /// </param>
    /// <param name="time">Clock for the wait before looking for a possibly imported certificate.</param>
    /// <param name="logger">ACM deployment events.</param>
    /// <param name="options">Retry bounds; <see cref="AcmDeployerOptions.Default"/> when null.</param>
    public AcmDeployer(IAcmClient client, CertificateStateStore? state, TimeProvider time, ILogger<AcmDeployer> logger, AcmDeployerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _state = state;
        _time = time;
        _logger = logger;
        _options = options ?? AcmDeployerOptions.Default;
        Region = client.Region;
        Target = AcmTargetName.For(client.Region);
    }

    public string Region { get; }

    public string Target { get; }

    public bool AppliesTo(DeploymentScope scope) => scope.AcmRegions.Contains(Region, StringComparer.Ordinal);

    /// <summary>The tags a certificate must carry: <c>certdaemon:name=NAME</c> plus the configured ones (the name tag wins).</summary>
    public static IReadOnlyDictionary<string, string> DesiredTags(string certificateName, AcmOptions? acm)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in acm?.Tags ?? new Dictionary<string, string>())
        {
            tags[key] = value;
        }

        tags[NameTagKey] = certificateName;
        return tags;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">
    /// <paramref name="context"/> has no <see cref="DeploymentContext.Acm"/> naming this region: a wiring error (the
    /// caller must only call ACM deployers of the certificate's regions).
    /// </exception>
    public async Task<DeploymentResult> DeployAsync(DeploymentContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Acm is not { } acm || !acm.Regions.Contains(Region, StringComparer.Ordinal))
        {
            throw new InvalidOperationException(
                $"{Target} was asked to deploy {context.CertificateName}, whose Acm.Regions do not name {Region} (DeploymentContext.Acm must be set).");
        }

        var gate = _gates.GetOrAdd(context.CertificateName, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await DeployExclusiveAsync(context, acm, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose()
    {
        foreach (var gate in _gates.Values)
        {
            gate.Dispose();
        }
    }

    private async Task<DeploymentResult> DeployExclusiveAsync(DeploymentContext context, AcmOptions acm, CancellationToken cancellationToken)
    {
        var (material, problem) = AcmImportMaterial.Read(context);
        if (material is null)
        {
            return Fail(context, null, $"not imported into ACM {Region}: {problem}.");
        }

        AcmCertificateDetail? existing = null;
        try
        {
            var remembered = await RememberedArnAsync(context.CertificateName, cancellationToken);
            if (remembered is not null)
            {
                existing = await DescribeIfExistsAsync(remembered, cancellationToken);
                if (existing is null)
                {
                    AcmLog.RememberedArnMissing(_logger, context.CertificateName, Region, remembered);
                }
            }

            existing ??= await FindByTagAsync(context, cancellationToken);
            if (existing is not null && Refusal(context, existing, material) is { } refusal)
            {
                return Fail(context, existing, refusal);
            }

            var imported = false;
            string arn;
            if (existing is null)
            {
                arn = await ImportNewAsync(context, material, DesiredTags(context.CertificateName, acm), cancellationToken);
                imported = true;
            }
            else if (!AcmSerial.AreEqual(existing.Serial, context.Serial))
            {
                // Re-import in place: same ARN, so every listener and distribution keeps using it. No tags (ACM refuses them).
                arn = await _client.ImportCertificateAsync(
                    new AcmImportRequest(existing.CertificateArn, material.CertificatePem, material.PrivateKeyPem, material.ChainPem), cancellationToken);
                imported = true;
            }
            else
            {
                arn = existing.CertificateArn;
                AcmLog.ImportSkipped(_logger, context.CertificateName, Region, arn, context.Serial);
            }

            if (!string.Equals(arn, remembered, StringComparison.Ordinal))
            {
                await RememberArnAsync(context.CertificateName, arn, cancellationToken);
            }

            await ReconcileTagsAsync(context.CertificateName, arn, DesiredTags(context.CertificateName, acm), cancellationToken);

            var after = await _client.DescribeCertificateAsync(arn, cancellationToken);
            if (!AcmSerial.AreEqual(after.Serial, context.Serial)
                || after.NotAfter is not { } notAfter
                || (notAfter - material.NotAfter).Duration() > _options.NotAfterTolerance)
            {
                return Fail(context, after,
                    $"after the import ACM {Region} shows {arn} with serial {after.Serial ?? "(none)"} and notAfter "
                    + $"{after.NotAfter?.ToString("O", CultureInfo.InvariantCulture) ?? "(none)"}, not serial {context.Serial} and notAfter "
                    + $"{material.NotAfter.ToString("O", CultureInfo.InvariantCulture)}; retried at the next check.");
            }

            if (imported)
            {
                AcmLog.Imported(_logger, context.CertificateName, Region, arn, context.Serial);
            }

            return new DeploymentResult.Succeeded
            {
                Target = Target,
                CertificateName = context.CertificateName,
                Serial = context.Serial,
                Holding = Holding(context, after),
                Message = imported
                    ? $"imported into ACM {Region} as {arn} (serial {context.Serial}, in use by {after.InUseBy.Count})."
                    : $"ACM {Region} already holds serial {context.Serial} as {arn} (in use by {after.InUseBy.Count}); not imported again.",
            };
        }
        catch (AwsServiceException e)
        {
            return Fail(context, existing, $"ACM {Region} refused or failed: {e.Message}{(e.IsRetryable ? "" : Advice(e.Code))}");
        }
        catch (Exception e) when (e is AwsCredentialsNotFoundException or HttpRequestException or TimeoutException or CertificateStoreException)
        {
            return Fail(context, existing, $"ACM {Region} could not be reached or the ARN not remembered: {e.Message}");
        }
    }

    private static string Advice(string code) => code switch
    {
        "AccessDeniedException" or "AccessDenied" => " (the IAM policy needs acm:ImportCertificate, acm:DescribeCertificate, acm:ListCertificates, acm:ListTagsForCertificate and acm:AddTagsToCertificate; see certdaemon iam-policy)",
        "LimitExceededException" => " (an ACM quota is exhausted: delete unused certificates or ask AWS for more)",
        _ => "",
    };

    private static string? Refusal(DeploymentContext context, AcmCertificateDetail existing, AcmImportMaterial material)
    {
        if (existing.Type is { } type && !string.Equals(type, "IMPORTED", StringComparison.Ordinal))
        {
            return $"{existing.CertificateArn} is a {type} certificate; only imported certificates can be replaced by an import.";
        }

        if (existing.KeyAlgorithm is { } held && !string.Equals(held, material.KeyAlgorithm, StringComparison.Ordinal))
        {
            var configured = context.KeyType is { } keyType ? $" (key type {KeyTypeNames.ToName(keyType)})" : "";
            var heldName = AcmKeyAlgorithms.ToKeyType(held) is { } heldType ? $"key type {KeyTypeNames.ToName(heldType)}" : held;
            return $"not imported: {existing.CertificateArn} holds a {held} key and ACM keeps a certificate's key algorithm on re-import, "
                + $"so the new {material.KeyAlgorithm} certificate{configured} cannot replace it. Either set the key type back to {heldName}, "
                + $"or move the listeners and distributions using {existing.CertificateArn} to a new certificate and delete it "
                + $"(then the next deployment imports a new one).";
        }

        return null;
    }

    private async Task<string?> RememberedArnAsync(string name, CancellationToken cancellationToken)
    {
        if (_state is null)
        {
            return null;
        }

        var state = await _state.LoadAsync(name, cancellationToken);
        return state?.Targets.GetValueOrDefault(Target)?.Arn is { Length: > 0 } arn ? arn : null;
    }

    private async Task RememberArnAsync(string name, string arn, CancellationToken cancellationToken)
    {
        if (_state is null)
        {
            return;
        }

        await _state.UpdateAsync(name, s => s with
        {
            Targets = new Dictionary<string, TargetState>(s.Targets)
            {
                [Target] = (s.Targets.GetValueOrDefault(Target) ?? new TargetState()) with { Arn = arn },
            },
        }, cancellationToken);
    }

    private async Task<AcmCertificateDetail?> DescribeIfExistsAsync(string arn, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.DescribeCertificateAsync(arn, cancellationToken);
        }
        catch (AwsServiceException e) when (e.Code is "ResourceNotFoundException")
        {
            return null;
        }
    }

    /// <summary>The certificate tagged <c>certdaemon:name=NAME</c>, described; null when there is none.</summary>
    private async Task<AcmCertificateDetail?> FindByTagAsync(DeploymentContext context, CancellationToken cancellationToken)
    {
        var all = new List<AcmCertificateSummary>();
        string? token = null;
        do
        {
            // Every key type: by default AWS lists only RSA_1024/RSA_2048 and would never show an EC certificate.
            var page = await _client.ListCertificatesAsync(AcmKeyAlgorithms.All, token, _options.ListPageSize, cancellationToken);
            all.AddRange(page.Certificates);
            token = page.NextToken;
        }
        while (token is not null);

        var names = context.Domains.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var imported = all.Where(s => s.Type is null or "IMPORTED").ToList();

        // Certificates whose DomainName is one of ours first (cheap, nearly always right); the rest only if none match,
        // e.g. after the configured names changed. Tags are asked one certificate at a time.
        var matches = new List<string>();
        foreach (var group in new[] { imported.Where(s => s.DomainName is not null && names.Contains(s.DomainName)), imported.Where(s => s.DomainName is null || !names.Contains(s.DomainName)) })
        {
            foreach (var summary in group)
            {
                var tags = await _client.ListTagsForCertificateAsync(summary.CertificateArn, cancellationToken);
                if (tags.TryGetValue(NameTagKey, out var value) && string.Equals(value, context.CertificateName, StringComparison.Ordinal))
                {
                    matches.Add(summary.CertificateArn);
                }
            }

            if (matches.Count > 0)
            {
                break;
            }
        }

        if (matches.Count == 0)
        {
            return null;
        }

        var described = new List<AcmCertificateDetail>();
        foreach (var arn in matches)
        {
            if (await DescribeIfExistsAsync(arn, cancellationToken) is { } detail)
            {
                described.Add(detail);
            }
        }

        // Several (made by hand, or by an older run): prefer the one in use, then the one holding this serial, then the newest.
        var chosen = described
            .OrderByDescending(d => d.InUseBy.Count)
            .ThenByDescending(d => AcmSerial.AreEqual(d.Serial, context.Serial))
            .ThenByDescending(d => d.NotAfter)
            .ThenBy(d => d.CertificateArn, StringComparer.Ordinal)
            .FirstOrDefault();
        if (chosen is null)
        {
            return null;
        }

        if (described.Count > 1)
        {
            AcmLog.DuplicateCertificates(_logger, context.CertificateName, Region, string.Join(", ", described.Select(d => d.CertificateArn)), chosen.CertificateArn);
        }

        AcmLog.FoundByTag(_logger, context.CertificateName, Region, chosen.CertificateArn, NameTagKey);
        return chosen;
    }

    /// <summary>
    /// Imports a new certificate. The AWS layer does not repeat this call after a server fault or a lost answer (it is
    /// not idempotent), so this does: after looking whether the failed attempt created the certificate after all.
    /// </summary>
    private async Task<string> ImportNewAsync(
        DeploymentContext context, AcmImportMaterial material, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var request = new AcmImportRequest(null, material.CertificatePem, material.PrivateKeyPem, material.ChainPem, tags);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await _client.ImportCertificateAsync(request, cancellationToken);
            }
            catch (Exception e) when (IsUncertain(e, cancellationToken) && attempt < _options.NewImportAttempts)
            {
                AcmLog.ImportUncertain(_logger, context.CertificateName, Region, e.Message);
                await Task.Delay(_options.UncertainImportDelay, _time, cancellationToken);
                if (await FindByTagAsync(context, cancellationToken) is { } found)
                {
                    // The lost attempt did create it; re-import in place if it somehow holds another serial.
                    return AcmSerial.AreEqual(found.Serial, context.Serial)
                        ? found.CertificateArn
                        : await _client.ImportCertificateAsync(request with { CertificateArn = found.CertificateArn, Tags = null }, cancellationToken);
                }
            }
        }
    }

    private static bool IsUncertain(Exception e, CancellationToken cancellationToken) => e switch
    {
        AwsServiceException s => s.IsRetryable,
        HttpRequestException or TimeoutException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private async Task ReconcileTagsAsync(string name, string arn, IReadOnlyDictionary<string, string> desired, CancellationToken cancellationToken)
    {
        var present = await _client.ListTagsForCertificateAsync(arn, cancellationToken);
        var missing = desired
            .Where(t => !present.TryGetValue(t.Key, out var value) || !string.Equals(value, t.Value, StringComparison.Ordinal))
            .ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        if (missing.Count == 0)
        {
            return;
        }

        await _client.AddTagsToCertificateAsync(arn, missing, cancellationToken);
        AcmLog.TagsUpdated(_logger, name, Region, arn, string.Join(", ", missing.Keys.Order(StringComparer.Ordinal)));
    }

    private TargetHolding Holding(DeploymentContext context, AcmCertificateDetail detail)
    {
        var serial = AcmSerial.AreEqual(detail.Serial, context.Serial) ? context.Serial : detail.Serial;
        return new TargetHolding(
            serial,
            Verified: true,
            $"ACM {Region} {detail.CertificateArn} holds serial {serial ?? "(none)"}, in use by {detail.InUseBy.Count}")
        {
            Arn = detail.CertificateArn,
            InUseCount = detail.InUseBy.Count,
            NotAfter = detail.NotAfter,
        };
    }

    private DeploymentResult.Failed Fail(DeploymentContext context, AcmCertificateDetail? held, string message)
    {
        AcmLog.DeploymentFailed(_logger, context.CertificateName, Region, context.Serial, message);
        return new DeploymentResult.Failed
        {
            Target = Target,
            CertificateName = context.CertificateName,
            Serial = context.Serial,
            Stage = DeploymentStage.Other,
            Holding = held is null ? TargetHolding.Unknown($"ACM {Region}: no certificate imported for {context.CertificateName} yet") : Holding(context, held),
            Message = message,
        };
    }
}
