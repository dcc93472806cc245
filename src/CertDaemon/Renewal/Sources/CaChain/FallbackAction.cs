namespace CertDaemon.Renewal.Sources.CaChain;

/// <summary>What a renewal does after a failed attempt at one CA.</summary>
internal enum FallbackAction
{
    /// <summary>Try the same CA once more (a blip is more likely than a lasting outage).</summary>
    RetrySameCa,

    /// <summary>Move on to the next configured CA for this run.</summary>
    NextCa,

    /// <summary>Give up this run with the failure as it is (ours, or no CA left, or worth waiting for).</summary>
    Stop,
}
