namespace CertDaemon.Testbed.Route53;

public sealed record Route53Change(Route53ChangeAction Action, Route53RecordSet RecordSet);
