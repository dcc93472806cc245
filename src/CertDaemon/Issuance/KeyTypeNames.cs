using System.Diagnostics.CodeAnalysis;

namespace CertDaemon.Issuance;

/// <summary>The configuration spelling of <see cref="KeyType"/>: <c>ec256</c>, <c>ec384</c>, <c>rsa2048</c>, <c>rsa3072</c>, <c>rsa4096</c>.</summary>
internal static class KeyTypeNames
{
    public static readonly IReadOnlyList<string> All = ["ec256", "ec384", "rsa2048", "rsa3072", "rsa4096"];

    public static string ToName(this KeyType keyType) => keyType switch
    {
        KeyType.Ec256 => "ec256",
        KeyType.Ec384 => "ec384",
        KeyType.Rsa2048 => "rsa2048",
        KeyType.Rsa3072 => "rsa3072",
        KeyType.Rsa4096 => "rsa4096",
        _ => throw new ArgumentOutOfRangeException(nameof(keyType), keyType, null),
    };

    public static bool TryParse(string? name, [NotNullWhen(true)] out KeyType? keyType)
    {
        keyType = name?.Trim().ToLowerInvariant() switch
        {
            "ec256" => KeyType.Ec256,
            "ec384" => KeyType.Ec384,
            "rsa2048" => KeyType.Rsa2048,
            "rsa3072" => KeyType.Rsa3072,
            "rsa4096" => KeyType.Rsa4096,
            _ => null,
        };
        return keyType is not null;
    }
}
