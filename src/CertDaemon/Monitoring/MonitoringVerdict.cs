namespace CertDaemon.Monitoring;

/// <summary>The monitoring-plugin states, valued as their exit codes (Nagios, Icinga, Sensu, Zabbix agents).</summary>
internal enum MonitoringState
{
    Ok = 0,
    Warning = 1,
    Critical = 2,
    Unknown = 3,
}

/// <summary>What <c>certdaemon status --check</c> prints (one line) and exits with.</summary>
/// <param name="State">The worst state of any certificate.</param>
/// <param name="Line">One summary line: <c>CERTDAEMON STATE: ...</c> then performance data after <c>|</c>.</param>
/// <param name="Problems">Every problem found, worst first (also shown after the line).</param>
internal sealed record MonitoringVerdict(MonitoringState State, string Line, IReadOnlyList<MonitoringProblem> Problems)
{
    public int ExitCode => (int)State;
}

/// <summary>One reason a certificate is not OK.</summary>
internal sealed record MonitoringProblem(string CertificateName, MonitoringState State, string Message);
