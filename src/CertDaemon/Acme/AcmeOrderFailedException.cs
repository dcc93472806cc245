namespace CertDaemon.Acme;

/// <summary>An order became invalid (RFC 8555 7.1.6): an authorization failed or finalization was refused. Carries the order and its error.</summary>
internal sealed class AcmeOrderFailedException(AcmeOrder order)
    : AcmeException($"order {order.Url} is invalid: {order.Error?.Describe() ?? "the CA gave no error"}")
{
    public AcmeOrder Order { get; } = order;

    public AcmeProblem? Error => Order.Error;
}
