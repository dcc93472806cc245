using CertDaemon.Aws.Acm;
using CertDaemon.Renewal.Sources.AcmExport;
using CertDaemon.Storage;

namespace CertDaemon.Tests.Renewal.Sources.AcmExport;

/// <summary>
/// What a check does with what ACM says about an acm-export certificate, as a table: a changed serial at the same ARN
/// (ACM's managed renewal, which moto cannot do) is exported again; ineligibility near expiry asks ACM to renew only
/// when the operator allowed it.
/// </summary>
public sealed class AcmExportPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private const string Arn = "arn:aws:acm:us-east-1:123456789012:certificate/1";

    private static readonly CurrentCertificate Live = new(
        3, "4c0e25aa", ["shop.example.com"], "ec256", Now.AddDays(-300), Now.AddDays(95), null, new Uri("https://acm.us-east-1.amazonaws.com/"), Now.AddDays(-300),
        Issuer: "acm-export", SourceArn: Arn);

    private static AcmCertificateDetail Acm(string serial, int daysLeft, string? eligibility = "ELIGIBLE", string? renewal = null, string status = "ISSUED") =>
        new(Arn, "shop.example.com", ["shop.example.com"], serial, Now.AddDays(daysLeft), [], "AMAZON_ISSUED", "EC_prime256v1", status)
        {
            RenewalEligibility = eligibility,
            RenewalStatus = renewal,
        };

    private static readonly Dictionary<string, (AcmCertificateDetail Acm, bool Allowed, AcmExportAction Action, string Fragment)> Cases = new()
    {
        ["same serial"] = (Acm("4c:0e:25:aa", 95), false, AcmExportAction.None, "current certificate"),
        ["ACM renewed (new serial, AWS spelling)"] = (Acm("7a:01:02:03", 395), false, AcmExportAction.Reexport, "ACM renewed"),
        ["ACM renewed (moto's decimal spelling)"] = (Acm("123456789", 395), false, AcmExportAction.Reexport, "ACM renewed"),
        ["new serial but not issued yet"] = (Acm("7a010203", 395, status: "PENDING_VALIDATION"), false, AcmExportAction.None, "current certificate"),
        ["ineligible far from expiry"] = (Acm("4c0e25aa", 95, "INELIGIBLE"), true, AcmExportAction.None, "current certificate"),
        ["ineligible inside the window, allowed"] = (Acm("4c0e25aa", 59, "INELIGIBLE"), true, AcmExportAction.RequestRenewal, "asking ACM to renew"),
        ["ineligible inside the window, not allowed"] = (Acm("4c0e25aa", 59, "INELIGIBLE"), false, AcmExportAction.WarnIneligible, "set Acm.RenewWhenIneligible"),
        ["ineligible but a renewal is under way"] = (Acm("4c0e25aa", 59, "INELIGIBLE", "PENDING_AUTO_RENEWAL"), true, AcmExportAction.None, "current certificate"),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Decides(string name)
    {
        var (acm, renewWhenIneligible, expected, fragment) = Cases[name];
        var (action, reason) = AcmExportPlanner.Decide(Live, acm, renewWhenIneligible, Now);

        Assert.True(expected == action, $"{name}: expected {expected}, got {action} ({reason})");
        Assert.Contains(fragment, reason, StringComparison.Ordinal);
    }
}
