namespace CertDaemon.Testbed;

/// <summary>Where the testbed keeps per-run material (TLS keys, configs, logs): one fresh folder per fixture.</summary>
public static class TestbedPaths
{
    public static string NewRunDirectory(string purpose)
    {
        var dir = Path.Combine(Path.GetTempPath(), "certdaemon-testbed", $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
