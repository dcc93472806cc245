using System.Runtime.Versioning;

// CertDaemon is a Linux daemon (systemd, nginx, certbot's layout): file modes, symbolic-link renames and flock are
// part of its contract, so the platform analyzer (CA1416) checks against Linux only.
[assembly: SupportedOSPlatform("linux")]
