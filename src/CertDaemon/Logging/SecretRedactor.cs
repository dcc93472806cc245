using System.Text.RegularExpressions;

namespace CertDaemon.Logging;

/// <summary>
/// Replaces text that looks like a secret. A safety net only: it catches PEM private keys and strings shaped like
/// AWS secret access keys; it cannot recognise EAB HMAC keys, session tokens, passwords or a key split across
/// properties. Not logging secrets in the first place is what keeps them out of logs.
/// </summary>
internal static partial class SecretRedactor
{
    public const string RedactedPrivateKey = "[REDACTED PRIVATE KEY]";
    public const string RedactedAwsSecret = "[REDACTED AWS SECRET]";

    /// <summary>Whether <paramref name="text"/> contains something <see cref="Redact"/> would replace.</summary>
    public static bool ContainsSecret(string text) => !ReferenceEquals(Redact(text), text);

    /// <summary>The text with secrets replaced; the same instance when nothing was replaced.</summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = text;
        if (result.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            result = PemPrivateKey().Replace(result, RedactedPrivateKey);
        }

        if (result.Length >= 40)
        {
            var replaced = false;
            var candidate = AwsSecretCandidate().Replace(result, match =>
            {
                if (!LooksLikeAwsSecret(match.ValueSpan))
                {
                    return match.Value;
                }

                replaced = true;
                return RedactedAwsSecret;
            });
            if (replaced)
            {
                result = candidate;
            }
        }

        return result;
    }

    /// <summary>
    /// AWS secret access keys are 40 characters of base64 (mixed case, digits, '/', '+'). Requiring upper and lower
    /// case letters and a digit rules out hex digests (SHA-1 thumbprints); more than three '/' looks like a path.
    /// </summary>
    private static bool LooksLikeAwsSecret(ReadOnlySpan<char> value)
    {
        bool upper = false, lower = false, digit = false;
        var slashes = 0;
        foreach (var c in value)
        {
            upper |= char.IsAsciiLetterUpper(c);
            lower |= char.IsAsciiLetterLower(c);
            digit |= char.IsAsciiDigit(c);
            slashes += c == '/' ? 1 : 0;
        }

        return upper && lower && digit && slashes <= 3;
    }

    // A PEM private key block of any kind (PKCS#8, "EC", "RSA", "ENCRYPTED"), up to its END line or, when cut off, the end of the text.
    [GeneratedRegex(@"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----.*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|\z)", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex PemPrivateKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])", RegexOptions.CultureInvariant)]
    private static partial Regex AwsSecretCandidate();
}
