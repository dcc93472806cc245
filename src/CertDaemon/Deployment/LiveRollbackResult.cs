namespace CertDaemon.Deployment;

/// <summary>What a <see cref="LiveVersionRollback"/> did. Expected outcomes only; it does not throw for them.</summary>
internal abstract record LiveRollbackResult
{
    private LiveRollbackResult()
    {
    }

    /// <summary>One line for the deployment's message.</summary>
    public abstract string Describe();

    /// <summary>The live links now point at the previous version again.</summary>
    /// <param name="RestoredSerial">The serial that is live again, lower-case hex.</param>
    public sealed record RolledBack(string RestoredSerial) : LiveRollbackResult
    {
        public override string Describe() => $"the live files were switched back to the previous version (serial {RestoredSerial})";
    }

    /// <summary>There is no previous version (first issuance): the live links were left on the new one.</summary>
    public sealed record NoPreviousVersion : LiveRollbackResult
    {
        public override string Describe() => "there is no previous version to switch the live files back to";
    }

    /// <summary>
    /// Another tool made a different version live after this deployment's switch (certbot renewing through
    /// <c>live/NAME</c>): switching "back" would replace that version with an older one, so it was left live.
    /// </summary>
    /// <param name="Version">The version that is live.</param>
    /// <param name="Serial">Its serial, lower-case hex.</param>
    public sealed record LeftInPlace(int Version, string Serial) : LiveRollbackResult
    {
        public override string Describe() =>
            $"the live files were not switched back: version {Version} (serial {Serial}), which another tool (certbot?) made live after this deployment's switch, was left live and becomes the current certificate";
    }

    /// <summary>Switching back was attempted and failed; the live links may still point at the new version.</summary>
    /// <param name="Error">Why, for the operator.</param>
    public sealed record Failed(string Error) : LiveRollbackResult
    {
        public override string Describe() => $"switching the live files back to the previous version failed: {Error}";
    }
}
