using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using CertDaemon.Testbed.Route53;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CertDaemon.Testbed.Imds;

/// <summary>
/// An EC2 instance metadata service (IMDSv2 only, as an instance with <c>HttpTokens=required</c>) on loopback, serving
/// one instance profile role's credentials; point the SDK at it with <c>AWS_EC2_METADATA_SERVICE_ENDPOINT</c>.
/// </summary>
/// <remarks>
/// As EC2 does: <c>PUT /latest/api/token</c> needs <c>X-aws-ec2-metadata-token-ttl-seconds</c> (1-21600, else 400) and
/// answers a session token; every GET needs a live token in <c>X-aws-ec2-metadata-token</c> (else 401);
/// <c>/latest/meta-data/iam/security-credentials/</c> lists the role, <c>.../ROLE</c> gives the credentials JSON
/// (<c>Code</c>, <c>Type</c>, <c>AccessKeyId</c>, <c>SecretAccessKey</c>, <c>Token</c>, <c>Expiration</c>),
/// <c>/latest/meta-data/iam/info</c> the instance profile. Everything else is 404.
/// </remarks>
public sealed class InstanceMetadataServer : IAsyncDisposable
{
    private const string TokenHeader = "X-aws-ec2-metadata-token";
    private const string TtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";
    private const string CredentialsPath = "/latest/meta-data/iam/security-credentials/";

    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _requests = new();
    private WebApplication? _app;

    private InstanceMetadataServer(string roleName, Route53Credential credentials)
    {
        RoleName = roleName;
        Credentials = credentials;
    }

    /// <summary>The instance profile's role name.</summary>
    public string RoleName { get; }

    /// <summary>What the role's credentials document hands out (with its session token).</summary>
    public Route53Credential Credentials { get; }

    /// <summary>Base URL, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Every request as <c>METHOD PATH STATUS</c>, in arrival order.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Starts serving <paramref name="credentials"/> (its session token is required) for <paramref name="roleName"/>.</summary>
    public static async Task<InstanceMetadataServer> StartAsync(string roleName, Route53Credential credentials, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(credentials.SessionToken);
        var server = new InstanceMetadataServer(roleName, credentials);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(System.Net.IPAddress.Loopback, 0);
        });
        server._app = builder.Build();
        server._app.Run(server.HandleAsync);
        await server._app.StartAsync(cancellationToken);
        var address = server._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.Endpoint = new Uri(address.EndsWith('/') ? address : address + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(timeout.Token);
            await _app.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var (status, body) = Answer(context.Request, context.Response);
        _requests.Enqueue($"{context.Request.Method} {context.Request.Path} {status}");
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(body, context.RequestAborted);
    }

    private (int Status, string Body) Answer(HttpRequest request, HttpResponse response)
    {
        var path = request.Path.Value ?? "";
        if (path == "/latest/api/token")
        {
            if (!HttpMethods.IsPut(request.Method))
            {
                return (405, "");
            }

            if (!int.TryParse(request.Headers[TtlHeader].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var ttl) || ttl is < 1 or > 21600)
            {
                return (400, "");
            }

            var token = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
            _tokens[token] = TimeProvider.System.GetUtcNow().AddSeconds(ttl);
            response.Headers[TtlHeader] = ttl.ToString(CultureInfo.InvariantCulture);
            return (200, token);
        }

        if (!HttpMethods.IsGet(request.Method))
        {
            return (405, "");
        }

        // IMDSv2 only: no token (or an expired or unknown one), no metadata.
        if (!_tokens.TryGetValue(request.Headers[TokenHeader].ToString(), out var expires) || expires <= TimeProvider.System.GetUtcNow())
        {
            return (401, "");
        }

        var now = TimeProvider.System.GetUtcNow();
        if (path is CredentialsPath or "/latest/meta-data/iam/security-credentials")
        {
            return (200, RoleName);
        }

        if (path == CredentialsPath + RoleName)
        {
            return (200, JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["Code"] = "Success",
                ["LastUpdated"] = now.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                ["Type"] = "AWS-HMAC",
                ["AccessKeyId"] = Credentials.AccessKeyId,
                ["SecretAccessKey"] = Credentials.SecretAccessKey,
                ["Token"] = Credentials.SessionToken!,
                ["Expiration"] = now.AddHours(6).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            }));
        }

        if (path == "/latest/meta-data/iam/info")
        {
            return (200, JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["Code"] = "Success",
                ["LastUpdated"] = now.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                ["InstanceProfileArn"] = $"arn:aws:iam::123456789012:instance-profile/{RoleName}",
                ["InstanceProfileId"] = "AIPAIMDSTESTPROFILE0",
            }));
        }

        return (404, "");
    }
}
