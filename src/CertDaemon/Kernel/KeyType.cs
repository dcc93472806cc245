namespace CertDaemon.Kernel;

// Public only because xunit theories (which must be public) take it as a parameter; nothing outside this
// assembly uses it.
/// <summary>The certificate key types CertDaemon issues. Configuration names: ec256 (default), ec384, rsa2048, rsa3072, rsa4096.</summary>
public enum KeyType
{
    Ec256,
    Ec384,
    Rsa2048,
    Rsa3072,
    Rsa4096,
}
