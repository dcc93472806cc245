using System.Diagnostics.CodeAnalysis;

[assembly: SuppressMessage("Interoperability", "CA1416:Validate platform compatibility", Scope = "namespaceanddescendants",
    Target = "~N:CertDaemon.Tests.Storage", Justification = "The storage tests check Unix file modes; CertDaemon is Linux-only.")]
