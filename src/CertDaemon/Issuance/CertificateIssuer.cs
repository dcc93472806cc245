using System.Security.Cryptography.X509Certificates;
using CertDaemon.Acme;
using CertDaemon.Dns;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Issuance;

/// <summary>
/// The issuance workflow ("porcelain"): order → answer every DNS-01 challenge at once → finalize → download →
/// verify. Knows nothing of JWS (that is <see cref="AcmeClient"/>), files or nginx.
/// </summary>
/// <remarks>
/// Contract: either returns a verified <see cref="IssuedCertificate"/> or throws; never returns a partial result.
/// Challenge records are always cleaned up once presenting began, even when cancelled (bounded by
/// <see cref="IssuanceOptions.CleanupTimeout"/>); a clean-up failure is logged and never hides the original error.
/// A fresh private key is generated for every issuance.
/// </remarks>
internal sealed class CertificateIssuer(AcmeClient acme, TimeProvider time, ILogger<CertificateIssuer> logger, IssuanceOptions? options = null)
{
    private readonly IssuanceOptions _options = options ?? new IssuanceOptions();

    public async Task<IssuedCertificate> IssueAsync(IssuanceRequest request, IDnsChallengeSolver solver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(solver);
        if (request.Domains.Count == 0)
        {
            throw new ArgumentException($"certificate '{request.Name}' has no domains", nameof(request));
        }

        using var key = CertificateKey.Generate(request.KeyType);
        var order = await CreateOrderAsync(request, cancellationToken);
        await SolveAuthorizationsAsync(request.Name, order, solver, cancellationToken);

        // RFC 8555 7.4: once every authorization is valid the order becomes "ready" and may be finalized.
        order = await acme.WaitForOrderAsync(order.Url, _options.OrderTimeout, cancellationToken);
        var csr = CsrBuilder.Build(key, request.Domains);
        order = await acme.FinalizeAsync(order, csr, cancellationToken);
        order = await acme.WaitForOrderAsync(order.Url, _options.OrderTimeout, cancellationToken);
        if (order.Certificate is null)
        {
            throw new AcmeProtocolException(order.Url, $"the order is {order.Status} but names no certificate URL");
        }

        var chains = await acme.DownloadCertificateChainsAsync(order.Certificate, cancellationToken);
        if (chains.Count == 0 || chains[0].CertificatesDer.Count == 0)
        {
            throw new AcmeProtocolException(order.Certificate, "the certificate download held no PEM certificate");
        }

        var selected = AcmeCertificateChain.SelectPreferred(chains, request.PreferredChainIssuer);
        if (request.PreferredChainIssuer is { } preferred && !chains.Any(c => c.HasIssuer(preferred)))
        {
            IssuanceLog.PreferredChainNotOffered(logger, request.Name, preferred);
        }

        var chain = selected.CertificatesDer.Select(der => X509CertificateLoader.LoadCertificate(der)).ToList();
        try
        {
            IssuedCertificateVerifier.Verify(request.Name, chain, key.ExportSubjectPublicKeyInfo(), request.Domains, time.GetUtcNow());
            var leaf = chain[0];
            var issued = new IssuedCertificate(
                request.Name,
                request.Domains,
                request.KeyType,
                ToPem(leaf),
                string.Concat(chain.Skip(1).Select(ToPem)),
                key.ExportPkcs8Pem(),
                leaf.SerialNumber.ToLowerInvariant(),
                leaf.NotBefore.ToUniversalTime(),
                leaf.NotAfter.ToUniversalTime(),
                TryGetAriCertificateId(leaf),
                order.Certificate);
            if (request.DryRun)
            {
                IssuanceLog.DryRunSucceeded(logger, request.Name, request.Domains, issued.SerialHex, issued.NotAfter);
            }
            else
            {
                IssuanceLog.CertificateIssued(logger, request.Name, request.Domains, issued.SerialHex, issued.NotAfter);
            }
            return issued;
        }
        finally
        {
            foreach (var certificate in chain)
            {
                certificate.Dispose();
            }
        }
    }

    private async Task<AcmeOrder> CreateOrderAsync(IssuanceRequest request, CancellationToken cancellationToken)
    {
        var options = new NewOrderOptions { DnsNames = request.Domains, Profile = request.Profile, Replaces = request.Replaces };
        AcmeOrder order;
        try
        {
            order = await acme.NewOrderAsync(options, cancellationToken);
        }
        catch (AlreadyReplacedException) when (request.Replaces is not null)
        {
            // RFC 9773 5: the predecessor was already replaced by another order; a plain order is still allowed.
            IssuanceLog.ReplacesRefused(logger, request.Name, request.Replaces);
            order = await acme.NewOrderAsync(options with { Replaces = null }, cancellationToken);
        }

        IssuanceLog.OrderCreated(logger, request.Name, order.Url, request.Domains.Count, request.Profile, order.Replaces);
        return order;
    }

    private async Task SolveAuthorizationsAsync(string name, AcmeOrder order, IDnsChallengeSolver solver, CancellationToken cancellationToken)
    {
        var pending = new List<(AcmeAuthorization Authorization, AcmeChallenge Challenge, DnsChallengeRecord Record)>();
        foreach (var url in order.Authorizations)
        {
            var authorization = await acme.GetAuthorizationAsync(url, cancellationToken);
            switch (authorization.Status)
            {
                case AcmeStatus.Valid:
                    continue;
                case AcmeStatus.Pending:
                    var challenge = authorization.Challenges.FirstOrDefault(c => c.Type == "dns-01" && c.Token is not null)
                        ?? throw new AcmeProtocolException(
                            url, $"the CA offers no dns-01 challenge for {authorization.Identifier.Value} (offered: {string.Join(", ", authorization.Challenges.Select(c => c.Type))})");
                    // RFC 8555 8.4: the record lives at _acme-challenge.<identifier>; a wildcard's identifier has no "*." (7.1.4).
                    var identifier = authorization.Wildcard ? "*." + authorization.Identifier.Value : authorization.Identifier.Value;
                    var record = new DnsChallengeRecord(identifier, "_acme-challenge." + authorization.Identifier.Value, acme.GetDns01TxtValue(challenge.Token!));
                    pending.Add((authorization, challenge, record));
                    break;
                default:
                    throw new AcmeProtocolException(
                        url, $"the authorization for {authorization.Identifier.Value} is {authorization.Status}: it cannot be solved");
            }
        }

        IssuanceLog.AuthorizationsReused(logger, name, order.Authorizations.Count - pending.Count, order.Authorizations.Count, pending.Count);
        if (pending.Count == 0)
        {
            return;
        }

        var records = pending.Select(p => p.Record).ToList();
        try
        {
            await solver.PresentAsync(records, cancellationToken);
            foreach (var (_, challenge, _) in pending)
            {
                await acme.RespondToChallengeAsync(challenge.Url, cancellationToken);
            }

            foreach (var (authorization, _, _) in pending)
            {
                await acme.WaitForAuthorizationAsync(authorization.Url, _options.AuthorizationTimeout, cancellationToken);
            }
        }
        finally
        {
            await CleanUpAsync(name, solver, records);
        }
    }

    private async Task CleanUpAsync(string name, IDnsChallengeSolver solver, IReadOnlyList<DnsChallengeRecord> records)
    {
        // Not linked to the caller's token: a cancelled issuance must still remove its records, within a bound.
        using var cleanupTimeout = new CancellationTokenSource(_options.CleanupTimeout, time);
        try
        {
            await solver.CleanUpAsync(records, cleanupTimeout.Token);
        }
        catch (Exception exception)
        {
            // Never hides the original error (we are in a finally); the solver's journal retries on the next run.
            IssuanceLog.ChallengeCleanupFailed(logger, exception, name);
        }
    }

    private static string ToPem(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    private static string? TryGetAriCertificateId(X509Certificate2 leaf) =>
        leaf.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Any(e => e.KeyIdentifier is not null)
            ? AriCertificateId.FromCertificate(leaf).Value
            : null;
}
