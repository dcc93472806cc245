namespace CertDaemon.Kernel;

/// <summary>The configuration spelling of <see cref="KeyType"/>: <c>ec256</c>, <c>ec384</c>, <c>rsa2048</c>, <c>rsa3072</c>, <c>rsa4096</c>.</summary>
internal static class KeyTypeNames
{
    /// <summary>Every accepted name, in documentation order.</summary>
    public static readonly IReadOnlyList<string> All = ["ec256", "ec384", "rsa2048", "rsa3072", "rsa4096"];

    /// <summary>The configuration name of <paramref name="keyType"/>.</summary>
    public static string ToName(KeyType keyType) => keyType switch
    {
        KeyType.Ec256 => "ec256",
        KeyType.Ec384 => "ec384",
        KeyType.Rsa2048 => "rsa2048",
        KeyType.Rsa3072 => "rsa3072",
        KeyType.Rsa4096 => "rsa4096",
        _ => throw new ArgumentOutOfRangeException(nameof(keyType), keyType, "Unknown key type."),
    };

    /// <summary>Parses a configuration name, ignoring case; numeric strings and other enum spellings are refused.</summary>
    public static bool TryParse(string? name, out KeyType keyType)
    {
        switch (name?.ToUpperInvariant())
        {
            case "EC256": keyType = KeyType.Ec256; return true;
            case "EC384": keyType = KeyType.Ec384; return true;
            case "RSA2048": keyType = KeyType.Rsa2048; return true;
            case "RSA3072": keyType = KeyType.Rsa3072; return true;
            case "RSA4096": keyType = KeyType.Rsa4096; return true;
            default: keyType = default; return false;
        }
    }
}
