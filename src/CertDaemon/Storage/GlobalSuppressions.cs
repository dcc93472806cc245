using System.Diagnostics.CodeAnalysis;

// Storage/ is built on Linux file semantics (modes, symbolic-link renames, flock, renameat2): CertDaemon runs only
// under systemd. Scoped to this namespace so callers are not forced to carry a platform annotation.
[assembly: SuppressMessage("Interoperability", "CA1416:Validate platform compatibility", Scope = "namespaceanddescendants",
    Target = "~N:CertDaemon.Storage", Justification = "Linux-only by design: Unix file modes and rename semantics are the contract.")]
