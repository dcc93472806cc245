using CertDaemon.Sandbox;

// certdaemon-sandbox [--acm] [--certdaemon PATH] [--keep]  - the whole lifecycle, narrated (see SandboxOptions).
// certdaemon-sandbox route53-emulator ...                   - the Route53 emulator as a program of its own.
if (args.Length > 0 && args[0] == Route53EmulatorProgram.CommandName)
{
    return await Route53EmulatorProgram.RunAsync(args[1..], Console.Out, Console.Error);
}

return await SandboxProgram.RunAsync(args, Console.Out, Console.Error);
