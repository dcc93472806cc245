using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using CertDaemon.Aws;
using CertDaemon.Aws.Acm;
using CertDaemon.Testbed.Moto;
using CertDaemon.Testbed.Nginx;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;

namespace CertDaemon.Sandbox;

/// <summary>One sandbox run: the numbered steps, the servers they start (stopped in <see cref="StopEverythingAsync"/>), and the exit code.</summary>
internal sealed class SandboxRun(SandboxOptions options, Narrator narrator)
{
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly List<(string Name, int Pid, Func<ValueTask> Stop)> _started = [];
    private string _workDirectory = "";
    private PebbleServer? _pebble;
    private Route53EmulatorProcess? _route53;
    private MotoServer? _moto;
    private NginxServer? _nginx;
    private CertDaemonCli? _cli;
    private X509Certificate2? _issuerRoot;

    private string ConfigPath => Path.Combine(_workDirectory, "certdaemon.json");

    private string CertificateDirectory => Path.Combine(_workDirectory, "letsencrypt");

    private string StateDirectory => Path.Combine(_workDirectory, "state");

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        _workDirectory = options.WorkDirectory ?? Path.Combine(Path.GetTempPath(), "certdaemon-sandbox-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_workDirectory);
        narrator.Line("CertDaemon sandbox: the whole certificate lifecycle on this machine, against stand-ins for Let's Encrypt,");
        narrator.Line("Route53 and ACM, with a real nginx. Everything listens on 127.0.0.1 only; every file is under");
        narrator.Line($"{_workDirectory} (nothing in /etc/nginx, /etc/letsencrypt or the system trust store is touched).");
        narrator.Line();
        var exitCode = 0;
        try
        {
            await RunStepsAsync(cancellationToken);
        }
        catch (SandboxStepException)
        {
            exitCode = SandboxProgram.ExitStepFailed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            narrator.Line();
            narrator.Line("Interrupted.");
            exitCode = SandboxProgram.ExitInterrupted;
        }
        finally
        {
            await StopEverythingAsync(successful: exitCode == 0);
        }

        narrator.Line();
        narrator.Line(exitCode switch
        {
            0 => string.Create(CultureInfo.InvariantCulture, $"Sandbox passed: {narrator.StepsPassed} steps ok{(narrator.StepsSkipped > 0 ? $", {narrator.StepsSkipped} skipped" : "")}, {total.Elapsed.TotalSeconds:F1} s."),
            SandboxProgram.ExitInterrupted => "Sandbox interrupted: everything it started has been stopped.",
            _ => "Sandbox FAILED: see the step marked FAILED above (its output is printed under it). Everything it started has been stopped.",
        });
        return exitCode;
    }

    private async Task RunStepsAsync(CancellationToken cancellationToken)
    {
        await narrator.StepAsync("Checking the programs the sandbox needs", step =>
        {
            var missing = new List<string>();
            foreach (var program in new[] { "pebble", "pebble-challtestsrv", NginxServer.NginxProgram }.Concat(options.Acm ? ["moto_server"] : []))
            {
                var found = Which(program);
                if (found is null)
                {
                    missing.Add(program);
                }
                else
                {
                    step.Say($"{Path.GetFileName(program)}: {found}");
                }
            }

            if (!File.Exists(options.CertDaemonPath))
            {
                missing.Add(options.CertDaemonPath);
            }
            else
            {
                step.Say($"certdaemon: {options.CertDaemonPath}");
            }

            return missing.Count == 0
                ? Task.CompletedTask
                : throw new SandboxStepException(
                    $"missing: {string.Join(", ", missing)}",
                    "bash scripts/sandbox.sh installs them (apt-get install pebble nginx; pip install \"moto[server]\") and builds certdaemon.");
        });

        _pebble = await narrator.StepAsync("Starting a test CA (pebble) and the DNS server it validates against (challtestsrv)", async step =>
        {
            var pebble = await PebbleServer.StartAsync(
                new PebbleOptions { NonceRejectPercent = 5, AuthorizationReusePercent = 0, ValidityPeriodSeconds = 90 * 24 * 3600 }, cancellationToken);
            _started.Add(("pebble + challtestsrv", 0, pebble.DisposeAsync));
            step.Say($"ACME directory {pebble.DirectoryUrl} (its TLS root: {pebble.TlsRootPemPath})");
            step.Say($"DNS server 127.0.0.1:{pebble.DnsPort} - pebble checks the _acme-challenge TXT records here, as Let's Encrypt asks Route53's name servers");
            _issuerRoot = await pebble.GetRootAsync(0, cancellationToken);
            return pebble;
        });

        _route53 = await narrator.StepAsync($"Starting the Route53 emulator as its own program, with the hosted zone {SandboxProgram.Zone}", async step =>
        {
            var route53 = await Route53EmulatorProcess.StartAsync(_pebble.ChallTestSrvUrl, SandboxProgram.Zone, cancellationToken);
            _started.Add(("Route53 emulator", route53.ProcessId, route53.DisposeAsync));
            step.Say($"endpoint {route53.Endpoint} (pid {route53.ProcessId}); certdaemon finds it through AWS_ENDPOINT_URL_ROUTE_53");
            step.Say($"hosted zone {SandboxProgram.Zone} = {route53.ZoneId}; it checks SigV4 signatures and keeps each change PENDING for 1 s before INSYNC,");
            step.Say("then publishes the records to the DNS server above, as Route53 does to its name servers");
            return route53;
        });

        if (options.Acm)
        {
            _moto = await narrator.StepAsync("Starting moto as ACM (an independent implementation of the AWS APIs)", async step =>
            {
                var moto = await MotoServer.StartAsync(cancellationToken);
                _started.Add(("moto (ACM)", 0, moto.DisposeAsync));
                step.Say($"endpoint {moto.Endpoint}; certdaemon finds it through AWS_ENDPOINT_URL_ACM");
                return moto;
            });
        }
        else
        {
            narrator.Skip("Starting moto as ACM", "ACM import is off for this run: run with --acm (or CERTDAEMON_SANDBOX_ACM=1) to import into ACM and show it.");
        }

        _nginx = await narrator.StepAsync("Setting the scene: certbot's files from an old setup, served by a real nginx", async step =>
        {
            var serial = CertbotLineage.Write(CertificateDirectory, SandboxProgram.CertificateName, SandboxProgram.Domains, _time);
            var live = Path.Combine(CertificateDirectory, "live", SandboxProgram.CertificateName);
            var nginx = await NginxServer.StartAsync(
                new NginxServerOptions
                {
                    PrefixDirectory = Path.Combine(_workDirectory, "nginx"),
                    Sites = [new NginxSite([.. SandboxProgram.Domains], Path.Combine(live, "fullchain.pem"), Path.Combine(live, "privkey.pem"))],
                },
                cancellationToken);
            _started.Add(("nginx", nginx.MasterPid, nginx.DisposeAsync));
            var served = await ServedCertificateView.ReadAsync(nginx.Port, SandboxProgram.ProbeName, null, cancellationToken);
            step.Say($"{live}/ -> archive/{SandboxProgram.CertificateName}/*1.pem, as certbot leaves it (a self-signed stand-in, 10 days left)");
            step.Say($"nginx (pid {nginx.MasterPid}) listens on {nginx.Address} with the server block certbot's users have:");
            step.Say($"  server_name {string.Join(' ', SandboxProgram.Domains)};");
            step.Say($"  ssl_certificate     {live}/fullchain.pem;");
            step.Say($"  ssl_certificate_key {live}/privkey.pem;");
            step.Say($"a TLS handshake for {SandboxProgram.ProbeName} sees serial {served.Serial} (issuer: {served.Issuer})");
            if (served.Serial != serial)
            {
                throw new SandboxStepException($"nginx serves {served.Serial}, not certbot's {serial}", nginx.Logs);
            }

            return nginx;
        });

        _cli = new CertDaemonCli(options.CertDaemonPath, CertDaemonEnvironment());
        await narrator.StepAsync("Writing CertDaemon's configuration and checking it: certdaemon config check", async step =>
        {
            await File.WriteAllTextAsync(ConfigPath, Configuration().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", cancellationToken);
            step.Say($"CERTDAEMON_CONFIG={ConfigPath}:");
            step.SayBlock(await File.ReadAllTextAsync(ConfigPath, cancellationToken), indent: 2);
            var check = (await RunCertDaemonAsync(["config", "check"], cancellationToken)).Expect(0);
            step.Say("$ " + check.CommandLine);
            step.SayBlock(check.Output);
        });

        await narrator.StepAsync("The least-privilege IAM policy for this configuration: certdaemon iam-policy", async step =>
        {
            var policy = (await RunCertDaemonAsync(["iam-policy"], cancellationToken)).Expect(0);
            using var document = ParseJson(policy, policy.Output);
            foreach (var statement in document.RootElement.GetProperty("Statement").EnumerateArray())
            {
                var actions = statement.GetProperty("Action");
                var list = actions.ValueKind == JsonValueKind.Array ? string.Join(", ", actions.EnumerateArray().Select(a => a.GetString())) : actions.GetString();
                step.Say($"{statement.GetProperty("Sid").GetString()}: {list}");
            }

            step.Say("(on EC2: attach it to the instance profile's role; the sandbox signs with static test credentials instead)");
        });

        var first = await narrator.StepAsync($"Issuing {string.Join(" and ", SandboxProgram.Domains)}: certdaemon issue {SandboxProgram.CertificateName}", async step =>
        {
            var changesBefore = _route53.Changes.Count;
            var issue = (await RunCertDaemonAsync(["issue", SandboxProgram.CertificateName], cancellationToken)).Expect(0);
            step.Say("$ " + issue.CommandLine);
            step.SayBlock(issue.Output);
            SayRoute53Changes(step, changesBefore);
            SayLogEvents(step, issue);
            var serial = LiveSerial();
            if (!issue.Output.Contains(serial, StringComparison.Ordinal))
            {
                throw new SandboxStepException($"certdaemon did not report the live serial {serial}", issue.Transcript);
            }

            var version = Path.GetFileName(new FileInfo(Path.Combine(CertificateDirectory, "live", SandboxProgram.CertificateName, "cert.pem")).ResolveLinkTarget(true)!.FullName);
            step.Say($"live/{SandboxProgram.CertificateName}/cert.pem now leads to {version}; certbot's version 1 is still in archive/");
            return serial;
        });

        await ProveServedAsync("A TLS handshake with nginx", first, cancellationToken);

        var arnAfterIssue = await narrator.StepAsync("What CertDaemon knows: certdaemon status", async step =>
        {
            var status = (await RunCertDaemonAsync(["status"], cancellationToken)).Expect(0);
            step.Say("$ " + status.CommandLine);
            step.SayBlock(status.Output);
            var json = (await RunCertDaemonAsync(["status", "--json"], cancellationToken)).Expect(0);
            var certificate = StatusOf(json);
            var serial = certificate["serial"]?.GetValue<string>();
            if (serial != first)
            {
                throw new SandboxStepException($"status --json says serial {serial}, the live files hold {first}", json.Transcript);
            }

            var nginxTarget = Target(certificate, "nginx");
            if (nginxTarget?["holdsCurrent"]?.GetValue<bool>() != true)
            {
                throw new SandboxStepException("status --json does not show nginx holding the current certificate", json.Transcript);
            }

            step.Say($"status --json agrees: serial {serial}, nginx holds it");
            return options.Acm ? AcmArn(certificate, json) : null;
        });

        var second = await narrator.StepAsync($"Forcing a renewal now, ahead of its schedule: certdaemon {string.Join(' ', SandboxProgram.RenewArguments)}", async step =>
        {
            var changesBefore = _route53.Changes.Count;
            var renew = (await RunCertDaemonAsync(SandboxProgram.RenewArguments, cancellationToken)).Expect(0);
            step.Say("$ " + renew.CommandLine);
            step.SayBlock(renew.Output);
            SayRoute53Changes(step, changesBefore);
            SayLogEvents(step, renew);
            var serial = LiveSerial();
            if (serial == first)
            {
                throw new SandboxStepException($"the live certificate is still {first}: nothing was renewed", renew.Transcript);
            }

            step.Say($"serial {first} -> {serial}");
            return serial;
        });

        await ProveServedAsync("A TLS handshake with nginx now", second, cancellationToken);

        if (options.Acm)
        {
            await narrator.StepAsync($"The certificate in ACM ({SandboxProgram.AcmRegion}), as ACM describes it", async step =>
            {
                var json = (await RunCertDaemonAsync(["status", "--json"], cancellationToken)).Expect(0);
                var arn = AcmArn(StatusOf(json), json);
                // Asked of ACM (moto) directly through the wire client, not read from CertDaemon's state.
                using var acm = AcmClient.Create(SandboxProgram.AcmRegion, _moto!.Endpoint, MotoServer.Credentials, new AwsRequestRateLimiter(100, 100));
                var view = await acm.DescribeCertificateAsync(arn, cancellationToken);
                step.Say($"ARN {view.CertificateArn}");
                step.Say($"{view.Type}, {view.DomainName} + {string.Join(", ", view.SubjectAlternativeNames)}, serial {view.Serial}, not after {view.NotAfter:yyyy-MM-dd HH:mm} UTC");
                if (!AcmSerial.AreEqual(view.Serial, second))
                {
                    throw new SandboxStepException($"ACM holds serial {view.Serial}, not the renewed {second}", json.Transcript);
                }

                if (arnAfterIssue != arn)
                {
                    throw new SandboxStepException($"the renewal imported under a new ARN ({arnAfterIssue} -> {arn}): listeners and distributions would keep the old certificate", json.Transcript);
                }

                step.Say($"same ARN as after the first issue, now holding the renewed serial {second}: an ALB listener or CloudFront distribution using it needs no change");
            });
        }
        else
        {
            narrator.Skip("The certificate in ACM", "ACM import is off for this run: run with --acm (or CERTDAEMON_SANDBOX_ACM=1).");
        }
    }

    private async Task ProveServedAsync(string title, string expected, CancellationToken cancellationToken)
    {
        await narrator.StepAsync($"{title} for {SandboxProgram.ProbeName} sees serial {expected}", async step =>
        {
            // nginx reloads asynchronously: an old worker may answer for a moment.
            var deadline = _time.GetUtcNow().AddSeconds(5);
            ServedCertificateView view;
            while (true)
            {
                view = await ServedCertificateView.ReadAsync(_nginx!.Port, SandboxProgram.ProbeName, _issuerRoot, cancellationToken);
                if (view.Serial == expected || _time.GetUtcNow() > deadline)
                {
                    break;
                }

                await Task.Delay(100, cancellationToken);
            }

            step.Say($"$ openssl s_client -connect {_nginx!.Address} -servername {SandboxProgram.ProbeName}   (done here in .NET)");
            step.Say($"serial:    {view.Serial}");
            step.Say($"subject:   {(view.Subject.Length == 0 ? "(empty, names in the SAN)" : view.Subject)}");
            step.Say($"issuer:    {view.Issuer}");
            step.Say($"names:     {string.Join(", ", view.Names)}");
            step.Say($"not after: {view.NotAfter:yyyy-MM-dd HH:mm} UTC; {view.Protocol}");
            step.Say(view.ChainProblem.Length == 0 ? "the chain nginx sends verifies up to the test CA's root, and the certificate covers the name" : $"chain: {view.ChainProblem}");
            if (view.Serial != expected)
            {
                throw new SandboxStepException($"nginx serves {view.Serial}, expected {expected}", _nginx.Logs);
            }

            if (view.ChainProblem.Length > 0 || !view.MatchesName)
            {
                throw new SandboxStepException($"a client would reject it: {(view.MatchesName ? view.ChainProblem : "the name does not match")}", _nginx.Logs);
            }
        });
    }

    private JsonObject Configuration()
    {
        var certificate = new JsonObject
        {
            ["Name"] = SandboxProgram.CertificateName,
            ["Domains"] = new JsonArray([.. SandboxProgram.Domains.Select(d => JsonValue.Create(d))]),
            ["KeyType"] = "ec256",
        };
        if (options.Acm)
        {
            certificate["Acm"] = new JsonObject { ["Regions"] = new JsonArray(SandboxProgram.AcmRegion) };
        }

        return new JsonObject
        {
            ["Acme"] = new JsonObject
            {
                ["DirectoryUrl"] = _pebble!.DirectoryUrl.ToString(),
                ["Email"] = "ops@example.test",
                ["AcceptTermsOfService"] = true,
                ["TrustedCaFile"] = _pebble.TlsRootPemPath,
            },
            ["StateDirectory"] = StateDirectory,
            ["CertificateDirectory"] = CertificateDirectory,
            ["Route53"] = new JsonObject { ["HostedZoneId"] = _route53!.ZoneId, ["PropagationTimeout"] = "00:01:00" },
            ["Dns"] = new JsonObject { ["Nameservers"] = new JsonArray(string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{_pebble.DnsPort}")) },
            ["Nginx"] = new JsonObject
            {
                ["TestCommand"] = new JsonArray([.. _nginx!.TestCommand.Select(a => JsonValue.Create(a))]),
                ["ReloadCommand"] = new JsonArray([.. _nginx.ReloadCommand.Select(a => JsonValue.Create(a))]),
                ["VerifyAddress"] = _nginx.Address,
            },
            ["Certificates"] = new JsonArray(certificate),
        };
    }

    private Dictionary<string, string> CertDaemonEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["CERTDAEMON_CONFIG"] = ConfigPath,
            ["AWS_ACCESS_KEY_ID"] = Route53EmulatorOptions.DefaultCredential.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = Route53EmulatorOptions.DefaultCredential.SecretAccessKey,
            ["AWS_REGION"] = "us-east-1",
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["AWS_ENDPOINT_URL_ROUTE_53"] = _route53!.Endpoint.ToString(),
        };
        if (_moto is not null)
        {
            environment["AWS_ENDPOINT_URL_ACM"] = _moto.Endpoint.ToString();
        }

        return environment;
    }

    private Task<CommandOutcome> RunCertDaemonAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        _cli!.RunAsync(arguments, cancellationToken);

    private void SayRoute53Changes(Step step, int before)
    {
        var changes = _route53!.Changes.Skip(before).ToList();
        step.Say($"Route53 received {changes.Count} change batch{(changes.Count == 1 ? "" : "es")} (the challenge records, created then removed):");
        foreach (var change in changes)
        {
            step.Say("  " + change["change ".Length..]);
        }
    }

    /// <summary>The contract's log events certdaemon wrote to stderr (text format on a terminal, JSON under systemd).</summary>
    private static void SayLogEvents(Step step, CommandOutcome outcome)
    {
        string[] events = ["ChallengeRecordsPublished", "CertificateIssued", "NginxReloaded", "ServedCertificateMismatch", "AcmImported", "RenewalFailed"];
        var lines = outcome.Error.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => events.Any(e => l.Contains(e, StringComparison.Ordinal))).ToList();
        if (lines.Count > 0)
        {
            step.Say("log events (stderr):");
            foreach (var line in lines)
            {
                step.Say("  " + line);
            }
        }
    }

    private string LiveSerial()
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(CertificateDirectory, "live", SandboxProgram.CertificateName, "cert.pem")));
        return certificate.SerialNumber.ToLowerInvariant();
    }

    private static JsonObject StatusOf(CommandOutcome json)
    {
        var all = JsonNode.Parse(json.Output)?.AsArray() ?? throw new SandboxStepException("status --json printed no array", json.Transcript);
        return all.OfType<JsonObject>().FirstOrDefault(c => c["name"]?.GetValue<string>() == SandboxProgram.CertificateName)
            ?? throw new SandboxStepException($"status --json does not list {SandboxProgram.CertificateName}", json.Transcript);
    }

    private static JsonObject? Target(JsonObject certificate, string name) =>
        certificate["targets"]?.AsArray().OfType<JsonObject>().FirstOrDefault(t => t["target"]?.GetValue<string>() == name);

    private static string AcmArn(JsonObject certificate, CommandOutcome json)
    {
        var target = Target(certificate, "acm:" + SandboxProgram.AcmRegion)
            ?? throw new SandboxStepException($"status --json shows no acm:{SandboxProgram.AcmRegion} target: was the certificate imported?", json.Transcript);
        return target["arn"]?.GetValue<string>() is { Length: > 0 } arn
            ? arn
            : throw new SandboxStepException($"the acm:{SandboxProgram.AcmRegion} target has no ARN", json.Transcript);
    }

    private static JsonDocument ParseJson(CommandOutcome outcome, string text)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException exception)
        {
            throw new SandboxStepException($"'{outcome.CommandLine}' did not print JSON: {exception.Message}", outcome.Transcript);
        }
    }

    private async Task StopEverythingAsync(bool successful)
    {
        var title = "Stopping everything the sandbox started";
        if (_started.Count == 0)
        {
            return;
        }

        async Task Stop(Step step)
        {
            var problems = new List<string>();
            for (var i = _started.Count - 1; i >= 0; i--)
            {
                var (name, pid, stop) = _started[i];
                try
                {
                    await stop();
                    var gone = pid == 0 || !Directory.Exists($"/proc/{pid}");
                    step.Say($"{name}{(pid == 0 ? "" : $" (pid {pid})")}: {(gone ? "stopped" : "STILL RUNNING")}");
                    if (!gone)
                    {
                        problems.Add($"{name} (pid {pid}) is still running");
                    }
                }
                catch (Exception exception)
                {
                    problems.Add($"{name}: {exception.Message}");
                }
            }

            _started.Clear();
            if (_pebble is not null)
            {
                TryDelete(_pebble.RunDirectory);
            }

            if (options.KeepFiles)
            {
                step.Say($"files kept in {_workDirectory} (configuration, state, letsencrypt/, nginx/)");
            }
            else
            {
                TryDelete(_workDirectory);
                step.Say($"removed {_workDirectory}");
            }

            if (problems.Count > 0)
            {
                throw new SandboxStepException(string.Join("; ", problems));
            }
        }

        _issuerRoot?.Dispose();
        if (successful)
        {
            await narrator.StepAsync(title, Stop);
        }
        else
        {
            // The run already failed or was interrupted: clean up without another numbered step, but say what happened.
            var step = new Step();
            try
            {
                await Stop(step);
            }
            catch (SandboxStepException failure)
            {
                step.Say("problem: " + failure.Message);
            }

            narrator.Line();
            narrator.Line(title + ":");
            foreach (var line in step.Details)
            {
                narrator.Line("      " + line);
            }
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Left for the operator: the run's outcome does not depend on it.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }

    private static string? Which(string program)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(program) ? program : null;
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
