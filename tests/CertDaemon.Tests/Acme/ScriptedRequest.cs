using System.Buffers.Text;
using System.Text.Json;

namespace CertDaemon.Tests.Acme;

public sealed record ScriptedRequest(string Method, string Host, string Path, string Body)
{
    /// <summary>The decoded JWS payload of a POST (what the client asked for), or null for POST-as-GET and non-JWS bodies.</summary>
    public JsonElement? JwsPayload()
    {
        if (Body.Length == 0)
        {
            return null;
        }

        using var jws = JsonDocument.Parse(Body);
        var payload = jws.RootElement.GetProperty("payload").GetString();
        if (string.IsNullOrEmpty(payload))
        {
            return null;
        }

        using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(payload));
        return document.RootElement.Clone();
    }
}
