namespace CertDaemon.Deployment;

/// <summary>
/// The issuances that have started, or wait for their turn, and have not reached their deployment yet. A target
/// whose activation disrupts what it serves (nginx's reload resets keep-alive connections) asks it so that the
/// certificates renewed in one check share one activation instead of one each.
/// </summary>
/// <remarks>
/// Contract: an issuance stops being pending when its deployment says so (<see cref="Deploying"/>), when it failed,
/// or when it ended without such a target. <see cref="WaitUntilNoneAsync"/> completes when none is pending or when
/// the limit has passed, whichever comes first, and throws only <see cref="OperationCanceledException"/>. A
/// deployment calls <see cref="Deploying"/> for its own certificate before it waits, or it would wait for itself
/// until the limit.
/// </remarks>
internal interface IPendingIssuances
{
    /// <summary>The issuance of <paramref name="certificateName"/> has reached its deployment (nothing if none is pending).</summary>
    void Deploying(string certificateName);

    /// <summary>Waits until no issuance is pending, at most <paramref name="limit"/>.</summary>
    Task WaitUntilNoneAsync(TimeSpan limit, CancellationToken cancellationToken);
}
