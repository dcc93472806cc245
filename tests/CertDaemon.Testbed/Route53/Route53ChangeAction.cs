namespace CertDaemon.Testbed.Route53;

public enum Route53ChangeAction
{
    Create,
    Delete,
    Upsert,
}
