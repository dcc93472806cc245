using CertDaemon.Cli;

return await CliRoot.RunAsync(args);
