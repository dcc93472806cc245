using System.Buffers;
using System.Text.RegularExpressions;

namespace CertDaemon.Configuration;

/// <summary>
/// The <c>Acme</c> section's pure rules: directory URLs, contact, terms, profile, external account binding and the
/// fallback CAs. Looks at nothing but the values (the <c>TrustedCaFile</c> on disk is <see cref="ConfigurationMachineChecks"/>'s).
/// </summary>
internal static partial class AcmeOptionsRules
{
    private static readonly SearchValues<char> Base64UrlCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    public static void Validate(AcmeOptions acme, Action<string, string> report)
    {
        DirectoryUrl(acme.DirectoryUrl, "$.Acme.DirectoryUrl", report);
        if (acme.DryRunDirectoryUrl is { } dryRun)
        {
            DirectoryUrl(dryRun, "$.Acme.DryRunDirectoryUrl", report);
        }

        if (acme.Email is { } email)
        {
            Email(email, report);
        }

        if (!acme.AcceptTermsOfService)
        {
            report("$.Acme.AcceptTermsOfService", "must be true: read the CA's terms of service (the directory's meta.termsOfService) and accept them to register an account");
        }

        Profile(acme.Profile, "$.Acme.Profile", report);

        if (acme.ExternalAccountBinding is { } eab)
        {
            ExternalAccountBinding(eab, "$.Acme.ExternalAccountBinding", report);
        }

        Fallbacks(acme, report);
    }

    /// <summary>A profile name as the CA's <c>meta.profiles</c> lists them (ACME profiles draft).</summary>
    public static void Profile(string? profile, string path, Action<string, string> report)
    {
        if (profile is not null && !ProfileName().IsMatch(profile))
        {
            report(path, $"\"{profile}\" is not a profile name (1-64 of A-Z a-z 0-9 . _ -; the CA lists its profiles in the directory's meta.profiles)");
        }
    }

    private static void DirectoryUrl(Uri url, string path, Action<string, string> report)
    {
        if (url.Scheme == Uri.UriSchemeHttp)
        {
            if (!url.IsLoopback)
            {
                report(path, $"must use https; http is accepted only for a CA on this machine (localhost, 127.0.0.1, ::1), got \"{url}\"");
            }
        }
        else if (url.Scheme != Uri.UriSchemeHttps)
        {
            report(path, $"must be an https URL, got \"{url}\"");
        }

        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            report(path, "must not contain a user name or password");
        }
    }

    private static void ExternalAccountBinding(ExternalAccountBindingOptions eab, string path, Action<string, string> report)
    {
        var hasKeyId = !string.IsNullOrEmpty(eab.KeyId);
        var hasHmac = !string.IsNullOrEmpty(eab.HmacKey);
        if (!hasKeyId && !hasHmac)
        {
            report(path, "KeyId and HmacKey are both required (remove the section if the CA needs no external account binding)");
        }
        else if (!hasKeyId)
        {
            report(path + ".KeyId", "required when HmacKey is set (both come from the CA)");
        }
        else if (!hasHmac)
        {
            report(path + ".HmacKey", "required when KeyId is set (both come from the CA)");
        }

        // The key is a secret: messages never repeat it.
        if (hasHmac && !IsBase64Url(eab.HmacKey))
        {
            report(path + ".HmacKey", "is not valid base64url (RFC 4648 section 5: letters, digits, '-' and '_', optional '=' padding)");
        }
    }

    private const int MaxEmailLength = 254;

    private static void Email(string email, Action<string, string> report)
    {
        const string path = "$.Acme.Email";
        if (email.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
        {
            report(path, "write the address without \"mailto:\"");
            return;
        }

        if (email.Length > MaxEmailLength)
        {
            // Not quoted: a runaway value (megabytes pasted by mistake) would flood the terminal and the journal.
            report(path, $"is {email.Length} characters long; an email address has at most {MaxEmailLength} (RFC 5321)");
            return;
        }

        var at = email.LastIndexOf('@');
        if (at <= 0 || at == email.Length - 1 || !EmailLocalPart().IsMatch(email[..at]))
        {
            report(path, $"\"{email}\" is not a plausible email address (expected local@domain)");
            return;
        }

        if (!DomainNameNormalizer.TryNormalize(email[(at + 1)..], allowWildcard: false, out _, out var error))
        {
            report(path, $"the domain of \"{email}\" is invalid: {error}");
        }
    }

    private static bool IsBase64Url(string value)
    {
        var trimmed = value.TrimEnd('=');
        if (trimmed.Length == 0 || value.Length - trimmed.Length > 2 || trimmed.Length % 4 == 1)
        {
            return false;
        }

        return !trimmed.AsSpan().ContainsAnyExcept(Base64UrlCharacters);
    }

    private static void Fallbacks(AcmeOptions acme, Action<string, string> report)
    {
        var seen = new Dictionary<Uri, string> { [acme.DirectoryUrl] = "$.Acme.DirectoryUrl" };
        for (var i = 0; i < acme.Fallback.Count; i++)
        {
            var fallback = acme.Fallback[i];
            var path = $"$.Acme.Fallback[{i}]";
            if (fallback.DirectoryUrl is not { } url)
            {
                report(path + ".DirectoryUrl", "required (the fallback CA's ACME directory URL)");
            }
            else
            {
                DirectoryUrl(url, path + ".DirectoryUrl", report);
                if (!seen.TryAdd(url, path + ".DirectoryUrl"))
                {
                    report(path + ".DirectoryUrl", $"\"{url}\" is already {seen[url]}: each CA is listed once");
                }
            }

            if (fallback.ExternalAccountBinding is { } eab)
            {
                ExternalAccountBinding(eab, path + ".ExternalAccountBinding", report);
            }

            Profile(fallback.Profile, path + ".Profile", report);
        }
    }

    [GeneratedRegex(@"^[^\s@,;<>""()\[\]\\]+$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailLocalPart();

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex ProfileName();
}
