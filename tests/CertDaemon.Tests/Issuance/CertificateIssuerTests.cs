using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertDaemon.Acme;
using CertDaemon.Issuance;
using CertDaemon.Kernel;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Issuance;

/// <summary>Issuance end to end against a real pebble that rejects 20% of nonces (PebbleFixture).</summary>
public sealed class CertificateIssuerTests(PebbleFixture pebble, ITestOutputHelper output) : IClassFixture<PebbleFixture>
{
    private static string Unique(string label) => $"{label}-{Guid.NewGuid():N}"[..20] + ".example.test";

    private Task WithLogs(Func<Task> body) => FailureReport.WithLogsAsync(output, () => pebble.Server.Logs, body);

    [Fact]
    public Task One_name_is_issued_verified_and_its_challenge_record_removed() => WithLogs(async () =>
    {
        using var harness = await IssuanceHarness.CreateAsync(pebble.Server);
        var name = Unique("one");

        var issued = await harness.IssueAsync(name);

        using var leaf = X509Certificate2.CreateFromPem(issued.CertificatePem);
        Assert.Equal([name], IssuedCertificateVerifier.DnsNames(leaf));
        Assert.Equal(leaf.SerialNumber.ToLowerInvariant(), issued.SerialHex);
        Assert.Equal("Valid", (await pebble.Server.GetCertificateStatusAsync(issued.SerialHex)).Status);
        using var key = ECDsa.Create();
        key.ImportFromPem(issued.PrivateKeyPem);
        Assert.Equal(leaf.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo(), key.ExportSubjectPublicKeyInfo());
        Assert.StartsWith(issued.CertificatePem, issued.FullChainPem, StringComparison.Ordinal);
        Assert.Contains("BEGIN CERTIFICATE", issued.ChainPem, StringComparison.Ordinal);
        Assert.Equal(1, harness.Solver.PresentCalls);
        Assert.Equal(1, harness.Solver.CleanUpCalls);
        Assert.Empty(harness.Solver.PublishedNames);
        Assert.DoesNotContain("PRIVATE KEY", issued.ToString(), StringComparison.Ordinal);
    });

    [Fact]
    public Task Apex_and_wildcard_put_two_values_on_one_name_in_one_present_call() => WithLogs(async () =>
    {
        using var harness = await IssuanceHarness.CreateAsync(pebble.Server);
        var apex = Unique("wild");

        var issued = await harness.IssueAsync(apex, "*." + apex);

        using var leaf = X509Certificate2.CreateFromPem(issued.CertificatePem);
        Assert.Equal(new HashSet<string> { apex, "*." + apex }, IssuedCertificateVerifier.DnsNames(leaf));
        Assert.Equal(1, harness.Solver.PresentCalls);
        var presented = harness.Solver.LastPresented;
        Assert.Equal(2, presented.Count);
        Assert.All(presented, r => Assert.Equal("_acme-challenge." + apex, r.RecordName));
        Assert.NotEqual(presented[0].Value, presented[1].Value);
        Assert.Contains(presented, r => r.Identifier == "*." + apex);
    });

    [Fact]
    public Task Twenty_names_are_presented_in_one_batch() => WithLogs(async () =>
    {
        using var harness = await IssuanceHarness.CreateAsync(pebble.Server);
        var baseName = Unique("twenty");
        var names = Enumerable.Range(1, 20).Select(i => $"n{i}.{baseName}").ToArray();

        var issued = await harness.IssueAsync(names);

        using var leaf = X509Certificate2.CreateFromPem(issued.CertificatePem);
        Assert.Equal(names.ToHashSet(), IssuedCertificateVerifier.DnsNames(leaf));
        Assert.Equal(1, harness.Solver.PresentCalls);
        Assert.Equal(20, harness.Solver.LastPresented.Count);
    });

    [Theory]
    [InlineData(KeyType.Ec256, "ECDSA", 256)]
    [InlineData(KeyType.Ec384, "ECDSA", 384)]
    [InlineData(KeyType.Rsa2048, "RSA", 2048)]
    [InlineData(KeyType.Rsa3072, "RSA", 3072)]
    [InlineData(KeyType.Rsa4096, "RSA", 4096)]
    public Task Each_key_type_gets_a_certificate_for_a_key_of_that_type(KeyType keyType, string algorithm, int bits) => WithLogs(async () =>
    {
        using var harness = await IssuanceHarness.CreateAsync(pebble.Server);
        var name = Unique(keyType.ToString().ToLowerInvariant());

        var issued = await harness.Issuer.IssueAsync(new IssuanceRequest("kt", [name], keyType), harness.Solver, CancellationToken.None);

        using var leaf = X509Certificate2.CreateFromPem(issued.CertificatePem);
        if (algorithm == "RSA")
        {
            using var rsa = leaf.GetRSAPublicKey();
            Assert.Equal(bits, rsa!.KeySize);
            using var key = RSA.Create();
            key.ImportFromPem(issued.PrivateKeyPem);
            Assert.Equal(rsa.ExportSubjectPublicKeyInfo(), key.ExportSubjectPublicKeyInfo());
        }
        else
        {
            using var ec = leaf.GetECDsaPublicKey();
            Assert.Equal(bits, ec!.KeySize);
            using var key = ECDsa.Create();
            key.ImportFromPem(issued.PrivateKeyPem);
            Assert.Equal(ec.ExportSubjectPublicKeyInfo(), key.ExportSubjectPublicKeyInfo());
        }

        Assert.Equal(keyType, issued.KeyType);
    });

    [Fact]
    public Task A_wrong_txt_value_fails_promptly_with_the_identifier_and_the_cas_detail_and_cleans_up() => WithLogs(async () =>
    {
        using var harness = await IssuanceHarness.CreateAsync(pebble.Server);
        harness.Solver.WrongValue = "not-the-key-authorization-digest";
        var name = Unique("wrong");
        var started = TimeProvider.System.GetTimestamp();

        var error = await Assert.ThrowsAsync<AcmeValidationException>(() => harness.IssueAsync(name));

        Assert.Equal(name, error.Identifier.Value);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Error);
        Assert.Contains(error.Error!.Detail ?? "", error.Message, StringComparison.Ordinal);
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(30), "a failed validation must not be retried endlessly");
        Assert.Equal(1, harness.Solver.CleanUpCalls);
        Assert.Empty(harness.Solver.PublishedNames);
    });
}
