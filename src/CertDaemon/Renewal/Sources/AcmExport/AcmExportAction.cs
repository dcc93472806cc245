namespace CertDaemon.Renewal.Sources.AcmExport;

/// <summary>What a check does about an <c>acm-export</c> certificate after asking ACM.</summary>
internal enum AcmExportAction
{
    /// <summary>Nothing: the live files hold ACM's current certificate.</summary>
    None,

    /// <summary>ACM holds another (renewed) certificate: export it now.</summary>
    Reexport,

    /// <summary>ACM will not renew it by itself and the operator asked for RenewCertificate.</summary>
    RequestRenewal,

    /// <summary>ACM will not renew it by itself and the operator did not ask for RenewCertificate: say so.</summary>
    WarnIneligible,
}
