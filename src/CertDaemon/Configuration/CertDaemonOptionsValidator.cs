namespace CertDaemon.Configuration;

/// <summary>
/// Checks bound <see cref="CertDaemonOptions"/> and reports every problem at once, each with its JSON path (YARP's
/// <c>IConfigValidator</c> style); never stops at the first and never changes the options (normalizing is
/// <see cref="CertDaemonOptionsNormalizer"/>'s). The pure rules live in the <c>*Rules</c> classes, the look at this
/// machine (programs, <c>TrustedCaFile</c>, directories) in <see cref="ConfigurationMachineChecks"/>; this class only
/// walks the sections in the order the problems are printed.
/// </summary>
internal static class CertDaemonOptionsValidator
{
    /// <summary>Validates <paramref name="options"/>.</summary>
    /// <param name="options">Bound options, as the operator wrote them.</param>
    /// <param name="searchPath">The PATH programs are looked up on; <see langword="null"/> means systemd's default PATH.</param>
    /// <param name="readOnly">For commands that only read: directories need not be writable by this user.</param>
    public static ConfigurationValidationResult Validate(CertDaemonOptions options, string? searchPath, bool readOnly = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<ConfigurationProblem>();
        void Report(string path, string message) => problems.Add(new ConfigurationProblem(path, message));
        void Command(IReadOnlyList<string> argv, string path)
        {
            if (DaemonOptionsRules.HasProgram(argv, path, Report))
            {
                ConfigurationMachineChecks.Program(argv[0], path + "[0]", searchPath, Report);
            }
        }

        void Commands(IReadOnlyList<IReadOnlyList<string>> commands, string path)
        {
            for (var i = 0; i < commands.Count; i++)
            {
                Command(commands[i], $"{path}[{i}]");
            }
        }

        AcmeOptionsRules.Validate(options.Acme, Report);
        if (options.Acme.TrustedCaFile is { } caFile)
        {
            ConfigurationMachineChecks.TrustedCaFile(caFile, Report);
        }

        ConfigurationMachineChecks.Directory(options.StateDirectory, "$.StateDirectory", readOnly, Report);
        ConfigurationMachineChecks.Directory(options.CertificateDirectory, "$.CertificateDirectory", readOnly, Report);
        Route53OptionsRules.Validate(options.Route53, Report);
        Route53OptionsRules.Nameservers(options.Dns.Nameservers, Report);
        if (options.Nginx.Enabled)
        {
            Command(options.Nginx.TestCommand, "$.Nginx.TestCommand");
            Command(options.Nginx.ReloadCommand, "$.Nginx.ReloadCommand");
        }

        DaemonOptionsRules.ValidateNginx(options.Nginx, Report);
        DaemonOptionsRules.ValidateStoreAndRenewal(options, Report);
        Commands(options.DeployHooks, "$.DeployHooks");
        FleetOptionsRules.Validate(options.Fleet, Report);

        if (options.Metrics.TextfilePath is { } textfile && MonitoringOptionsRules.Textfile(textfile, Report))
        {
            ConfigurationMachineChecks.TextfileDirectory(textfile, Report);
        }

        MonitoringOptionsRules.ListenAddressAndWebhook(options, Report);
        if (options.Notifications.Command.Count > 0)
        {
            ConfigurationMachineChecks.Program(options.Notifications.Command[0], "$.Notifications.Command[0]", searchPath, Report);
        }

        MonitoringOptionsRules.NotificationKinds(options.Notifications, Report);

        var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Certificates.Count; i++)
        {
            var certificate = options.Certificates[i];
            var path = $"$.Certificates[{i}]";
            CertificateOptionsRules.UniqueNames(options.Certificates, i, names, Report);
            CertificateOptionsRules.Validate(certificate, path, Report);
            Commands(certificate.DeployHooks, path + ".DeployHooks");
            CertificateIssuerRules.Validate(certificate, path, Report);
        }

        return new ConfigurationValidationResult(problems);
    }
}
