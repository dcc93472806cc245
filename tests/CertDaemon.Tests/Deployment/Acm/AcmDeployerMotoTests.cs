using CertDaemon.Aws;
using CertDaemon.Aws.Acm;
using CertDaemon.Configuration;
using CertDaemon.Deployment;
using CertDaemon.Deployment.Acm;
using CertDaemon.Kernel;
using CertDaemon.Storage;
using CertDaemon.Testbed;
using CertDaemon.Testbed.Moto;
using CertDaemon.Tests.Aws;
using CertDaemon.Tests.Aws.Acm;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

using CertDaemon.Tests.Testbed;

namespace CertDaemon.Tests.Deployment.Acm;

/// <summary>
/// <see cref="AcmDeployer"/> in two regions against moto: first import, re-import in place, lost state, skipped
/// re-deploys, faults in front of ACM, key algorithm changes. Requests are asserted as sent (moto accepts things AWS
/// refuses, such as tags on a re-import).
/// </summary>
public sealed class AcmDeployerMotoTests : IClassFixture<MotoFixture>, IDisposable
{
    private static readonly string[] Regions = ["us-east-1", "eu-west-1"];
    private static readonly AwsRetryOptions FastRetry = new() { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) };
    private static readonly AcmDeployerOptions FastDeployer = new() { UncertainImportDelay = TimeSpan.FromMilliseconds(50) };

    private readonly MotoFixture _moto;
    private readonly ITestOutputHelper _output;
    private readonly AcmTraffic _traffic = new();
    private readonly Dictionary<string, AcmClient> _clients = [];
    private readonly CapturingLogger<AcmDeployer> _logger = new();
    private readonly string _stateDirectory = TestbedPaths.NewRunDirectory("acm-state");

    public AcmDeployerMotoTests(MotoFixture moto, ITestOutputHelper output)
    {
        _moto = moto;
        _output = output;
        foreach (var region in Regions)
        {
            _clients[region] = AcmClient.Create(region, moto.Server.Endpoint, MotoServer.Credentials, new AwsRequestRateLimiter(1000, 1000), FastRetry, transport: _traffic);
        }
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        _output.WriteLine("deployer log:\n" + _logger);
        _output.WriteLine("ACM calls:\n" + string.Join('\n', _traffic.Calls.Select(c => $"{c.Region} {c.Operation}")));
        _output.WriteLine("moto_server output:\n" + _moto.Server.Output);
    }

    private CertificateStateStore States() => new(_stateDirectory, TimeProvider.System, NullLogger.Instance);

    private AcmDeployer Deployer(string region, CertificateStateStore? states = null) =>
        new(_clients[region], states ?? States(), TimeProvider.System, _logger, FastDeployer);

    private static AcmOptions Acm(params (string Key, string Value)[] tags) =>
        new() { Regions = Regions, Tags = tags.ToDictionary(t => t.Key, t => t.Value) };

    private static AcmTestLineage NewLineage() =>
        new("site-" + Guid.NewGuid().ToString("N")[..10], $"{Guid.NewGuid():N}.example.test", "www.example.test");

    private async Task<int> CountAsync(string region) =>
        (await _clients[region].ListCertificatesAsync(AcmKeyAlgorithms.All, null, 1000, CancellationToken.None)).Certificates.Count;

    private async Task<List<string>> TaggedAsync(string region, string name)
    {
        var tagged = new List<string>();
        foreach (var summary in (await _clients[region].ListCertificatesAsync(AcmKeyAlgorithms.All, null, 1000, CancellationToken.None)).Certificates)
        {
            var tags = await _clients[region].ListTagsForCertificateAsync(summary.CertificateArn, CancellationToken.None);
            if (tags.GetValueOrDefault(AcmDeployer.NameTagKey) == name)
            {
                tagged.Add(summary.CertificateArn);
            }
        }

        return tagged;
    }

    private static DeploymentResult.Succeeded Ok(DeploymentResult result) =>
        result as DeploymentResult.Succeeded ?? throw new Xunit.Sdk.XunitException($"{result.Target} failed: {result.Message}");

    [Theory]
    [InlineData(KeyType.Ec256)]
    [InlineData(KeyType.Rsa2048)]
    public async Task First_import_in_two_regions_then_renewal_re_imports_to_the_same_arns(KeyType keyType)
    {
        using var lineage = NewLineage();
        var acm = Acm(("env", "prod"), ("team", "web"));
        var states = States();
        var deployers = Regions.Select(r => Deployer(r, states)).ToList();

        lineage.AddLiveVersion(keyType);
        var first = new Dictionary<string, string>();
        foreach (var deployer in deployers)
        {
            var ok = Ok(await deployer.DeployAsync(lineage.Context(1, acm, keyType), CancellationToken.None));
            Assert.Equal("acm:" + deployer.Region, ok.Target);
            Assert.Equal(lineage.SerialOf(1), ok.Holding.Serial);
            Assert.True(ok.Holding.Verified);
            Assert.Equal(0, ok.Holding.InUseCount);
            first[deployer.Region] = Assert.IsType<string>(ok.Holding.Arn);
            Assert.Contains($":acm:{deployer.Region}:", first[deployer.Region], StringComparison.Ordinal);
        }

        // The ARN is kept in the state directory, per region.
        var state = Assert.IsType<CertificateState>(await states.LoadAsync(lineage.Name, CancellationToken.None));
        foreach (var region in Regions)
        {
            Assert.Equal(first[region], state.Targets[AcmTargetName.For(region)].Arn);
        }

        // First import: tagged, leaf alone, chain without the leaf.
        foreach (var import in _traffic.Of("ImportCertificate"))
        {
            Assert.False(import.Has("CertificateArn"));
            var tags = import.Json.GetProperty("Tags").EnumerateArray().ToDictionary(t => t.GetProperty("Key").GetString()!, t => t.GetProperty("Value").GetString());
            Assert.Equal(lineage.Name, tags["certdaemon:name"]);
            Assert.Equal("prod", tags["env"]);
            Assert.Equal(lineage.CaPem.Trim(), import.Blob("CertificateChain").Trim());
            Assert.DoesNotContain(lineage.LeafOf(1).ExportCertificatePem(), import.Blob("CertificateChain"), StringComparison.Ordinal);
        }

        Assert.Equal(Regions.Order(), _logger.Named("AcmImported").Select(e => e.Property("Region")).Order());
        var imported = _logger.Named("AcmImported").First(e => e.Property("Region") == "eu-west-1");
        Assert.Equal(lineage.Name, imported.Property("CertificateName"));
        Assert.Equal(first["eu-west-1"], imported.Property("Arn"));
        Assert.Equal(lineage.SerialOf(1), imported.Property("Serial"));

        // Renewal: same ARNs, new serial, no Tags member on the wire, tags still there afterwards.
        var importsBefore = _traffic.Count("ImportCertificate");
        lineage.AddLiveVersion(keyType);
        foreach (var deployer in deployers)
        {
            var ok = Ok(await deployer.DeployAsync(lineage.Context(2, acm, keyType), CancellationToken.None));
            Assert.Equal(first[deployer.Region], ok.Holding.Arn);
            Assert.Equal(lineage.SerialOf(2), ok.Holding.Serial);
        }

        var reimports = _traffic.Of("ImportCertificate").Skip(importsBefore).ToList();
        Assert.Equal(2, reimports.Count);
        foreach (var reimport in reimports)
        {
            Assert.Equal(first[reimport.Region], reimport.Json.GetProperty("CertificateArn").GetString());
            Assert.False(reimport.Has("Tags"), "AWS refuses tags on a re-import: " + reimport.Body);
        }

        foreach (var region in Regions)
        {
            var detail = await _clients[region].DescribeCertificateAsync(first[region], CancellationToken.None);
            Assert.True(AcmSerial.AreEqual(lineage.SerialOf(2), detail.Serial));
            Assert.Equal(new DateTimeOffset(lineage.LeafOf(2).NotAfter.ToUniversalTime()), detail.NotAfter);
            var tags = await _clients[region].ListTagsForCertificateAsync(first[region], CancellationToken.None);
            Assert.Equal(lineage.Name, tags["certdaemon:name"]);
            Assert.Equal("prod", tags["env"]);
            Assert.Equal("web", tags["team"]);
            Assert.Equal([first[region]], await TaggedAsync(region, lineage.Name));
        }
    }

    [Fact]
    public async Task After_the_state_directory_is_lost_the_arns_are_found_by_tag_and_nothing_is_duplicated()
    {
        using var lineage = NewLineage();
        var acm = Acm(("env", "prod"));
        lineage.AddLiveVersion(KeyType.Ec256);
        var arns = new Dictionary<string, string>();
        foreach (var region in Regions)
        {
            arns[region] = Ok(await Deployer(region).DeployAsync(lineage.Context(1, acm), CancellationToken.None)).Holding.Arn!;
        }

        var counts = new Dictionary<string, int>();
        foreach (var region in Regions)
        {
            counts[region] = await CountAsync(region);
        }

        Directory.Delete(_stateDirectory, recursive: true);
        lineage.AddLiveVersion(KeyType.Ec256);
        var states = States();
        foreach (var region in Regions)
        {
            var ok = Ok(await Deployer(region, states).DeployAsync(lineage.Context(2, acm), CancellationToken.None));
            Assert.Equal(arns[region], ok.Holding.Arn);
            Assert.Equal(counts[region], await CountAsync(region));
            var detail = await _clients[region].DescribeCertificateAsync(arns[region], CancellationToken.None);
            Assert.True(AcmSerial.AreEqual(lineage.SerialOf(2), detail.Serial));
        }

        Assert.Equal(2, _logger.Named("AcmCertificateFoundByTag").Count());
        var state = Assert.IsType<CertificateState>(await states.LoadAsync(lineage.Name, CancellationToken.None));
        Assert.Equal(arns["us-east-1"], state.Targets["acm:us-east-1"].Arn);

        // The search asked for every key type (AWS lists only RSA_1024/RSA_2048 otherwise; this one is EC).
        var search = _traffic.Of("ListCertificates").First(c => c.Region == "eu-west-1");
        Assert.Contains("EC_prime256v1", search.Json.GetProperty("Includes").GetProperty("keyTypes").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Deploying_the_serial_acm_already_holds_imports_nothing()
    {
        using var lineage = NewLineage();
        var acm = Acm();
        lineage.AddLiveVersion(KeyType.Ec256);
        var deployer = Deployer("us-east-1");
        var first = Ok(await deployer.DeployAsync(lineage.Context(1, acm), CancellationToken.None));
        Assert.Equal(1, _traffic.Count("ImportCertificate"));

        var again = Ok(await deployer.DeployAsync(lineage.Context(1, acm), CancellationToken.None));
        var fresh = Ok(await Deployer("us-east-1").DeployAsync(lineage.Context(1, acm), CancellationToken.None));

        Assert.Equal(1, _traffic.Count("ImportCertificate"));
        Assert.Equal(first.Holding.Arn, again.Holding.Arn);
        Assert.Equal(first.Holding.Arn, fresh.Holding.Arn);
        Assert.Equal(lineage.SerialOf(1), again.Holding.Serial);
        Assert.Contains("not imported again", again.Message, StringComparison.Ordinal);
        Assert.Single(_logger.Named("AcmImported"));
    }

    [Fact]
    public async Task Throttling_server_faults_and_a_lost_answer_end_in_one_certificate_per_region()
    {
        using var lineage = NewLineage();
        var acm = Acm(("env", "prod"));
        lineage.AddLiveVersion(KeyType.Ec256);
        var counts = new Dictionary<string, int>();
        foreach (var region in Regions)
        {
            counts[region] = await CountAsync(region);
        }

        // First import: throttled, then a 500 before ACM, then ACM creates it but the answer is lost. Every other call
        // is throttled once and fails once with a 500 before the server.
        _traffic.Faults = (call, before) => (call.Operation, before % 4) switch
        {
            ("ImportCertificate", 0) => AcmFault.Throttle,
            ("ImportCertificate", 1) => AcmFault.ServerErrorBeforeServer,
            ("ImportCertificate", 2) => AcmFault.AnswerLost,
            (_, 0) => AcmFault.Throttle,
            (_, 1) => AcmFault.ServerErrorBeforeServer,
            _ => AcmFault.None,
        };

        foreach (var region in Regions)
        {
            _traffic.Faults = ResetPerRegion(_traffic.Faults, region);
            var ok = Ok(await Deployer(region).DeployAsync(lineage.Context(1, acm), CancellationToken.None));
            Assert.Equal(lineage.SerialOf(1), ok.Holding.Serial);
            Assert.Equal(counts[region] + 1, await CountAsync(region));
            Assert.Equal([ok.Holding.Arn!], await TaggedAsync(region, lineage.Name));
        }

        Assert.Contains(_logger.Entries, e => e.EventId.Name == "AcmImportUncertain");

        // A renewal under the same faults: still one certificate, now with the new serial.
        lineage.AddLiveVersion(KeyType.Ec256);
        foreach (var region in Regions)
        {
            var ok = Ok(await Deployer(region).DeployAsync(lineage.Context(2, acm), CancellationToken.None));
            Assert.Equal(lineage.SerialOf(2), ok.Holding.Serial);
            Assert.Equal(counts[region] + 1, await CountAsync(region));
        }
    }

    // Faults count calls per operation across regions; give each region's deployment the same sequence.
    private Func<AcmCall, int, AcmFault> ResetPerRegion(Func<AcmCall, int, AcmFault> faults, string region)
    {
        var offset = _traffic.Calls.GroupBy(c => c.Operation).ToDictionary(g => g.Key, g => g.Count());
        return (call, before) => call.Region == region ? faults(call, before - offset.GetValueOrDefault(call.Operation)) : AcmFault.None;
    }

    [Fact]
    public async Task A_key_algorithm_change_is_refused_with_an_explanation_and_acm_keeps_the_old_certificate()
    {
        using var lineage = NewLineage();
        var acm = Acm();
        lineage.AddLiveVersion(KeyType.Rsa2048);
        var deployer = Deployer("eu-west-1");
        var arn = Ok(await deployer.DeployAsync(lineage.Context(1, acm, KeyType.Rsa2048), CancellationToken.None)).Holding.Arn!;

        lineage.AddLiveVersion(KeyType.Ec256);
        var result = await deployer.DeployAsync(lineage.Context(2, acm, KeyType.Ec256), CancellationToken.None);

        var failed = Assert.IsType<DeploymentResult.Failed>(result);
        Assert.Equal(DeploymentStage.Other, failed.Stage);
        Assert.Contains("RSA_2048", failed.Message, StringComparison.Ordinal);
        Assert.Contains("EC_prime256v1", failed.Message, StringComparison.Ordinal);
        Assert.Contains("rsa2048", failed.Message, StringComparison.Ordinal);
        Assert.Contains(arn, failed.Message, StringComparison.Ordinal);
        Assert.Equal(arn, failed.Holding.Arn);
        Assert.Equal(lineage.SerialOf(1), failed.Holding.Serial);
        Assert.Equal(1, _traffic.Count("ImportCertificate"));
        var detail = await _clients["eu-west-1"].DescribeCertificateAsync(arn, CancellationToken.None);
        Assert.True(AcmSerial.AreEqual(lineage.SerialOf(1), detail.Serial));
        Assert.Single(_logger.Named("AcmDeploymentFailed"));
    }

    [Fact]
    public async Task An_acm_error_is_a_failed_result_naming_the_error_never_an_exception()
    {
        using var lineage = NewLineage();
        lineage.AddLiveVersion(KeyType.Ec256);
        _traffic.Faults = (call, _) => call.Operation == "ListCertificates" ? AcmFault.Throttle : AcmFault.None;

        var result = await Deployer("us-east-1").DeployAsync(lineage.Context(1, Acm()), CancellationToken.None);

        var failed = Assert.IsType<DeploymentResult.Failed>(result);
        Assert.Contains("ThrottlingException", failed.Message, StringComparison.Ordinal);
        Assert.Null(failed.Holding.Arn);
        Assert.Equal(0, _traffic.Count("ImportCertificate"));
    }

    [Fact]
    public async Task A_context_without_this_region_is_a_wiring_error()
    {
        using var lineage = NewLineage();
        lineage.AddLiveVersion(KeyType.Ec256);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Deployer("us-east-1").DeployAsync(lineage.Context(1, new AcmOptions { Regions = ["eu-west-1"] }), CancellationToken.None));
        Assert.Empty(_traffic.Calls);
    }
}
