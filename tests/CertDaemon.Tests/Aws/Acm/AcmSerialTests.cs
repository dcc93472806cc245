using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertDaemon.Aws.Acm;

namespace CertDaemon.Tests.Aws.Acm;

public sealed class AcmSerialTests
{
    [Theory]
    [InlineData("4c:0e:25:9a:01:ff", "4c0e259a01ff")]      // AWS: colon-separated hex
    [InlineData("4C:0E:25:9A:01:FF", "4c0e259a01ff")]      // upper case
    [InlineData("00:9c:0e:25", "9c0e25")]                  // DER's sign byte
    [InlineData("83600140985599", "4c08acb4e4ff")]          // moto: decimal
    [InlineData("4c0e259a01ff", "4c0e259a01ff")]            // plain hex with letters
    [InlineData("0", "0")]
    public void Normalize_reads_colon_hex_and_decimal(string acm, string expected) =>
        Assert.Equal(expected, AcmSerial.Normalize(acm));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("zz:01")]
    [InlineData("12-34")]
    public void Normalize_rejects_what_is_no_serial(string? acm) => Assert.Null(AcmSerial.Normalize(acm));

    [Fact]
    public void The_dotnet_serial_equals_both_acm_spellings_of_the_same_certificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=serial.test", key, HashAlgorithmName.SHA256);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] |= 0x80; // high bit set: DER needs a leading 00, which .NET shows and decimal cannot
        var now = TimeProvider.System.GetUtcNow();
        using var withSerial = request.Create(request.SubjectName, X509SignatureGenerator.CreateForECDsa(key), now.AddDays(-1), now.AddDays(1), serial);

        var dotnet = withSerial.SerialNumber.ToLowerInvariant();
        var colonHex = string.Join(':', serial.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        var positive = new System.Numerics.BigInteger(serial, isUnsigned: true, isBigEndian: true);
        var decimalText = positive.ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(AcmSerial.AreEqual(colonHex, dotnet), $"{colonHex} vs {dotnet}");
        Assert.True(AcmSerial.AreEqual(decimalText, dotnet), $"{decimalText} vs {dotnet}");
        Assert.False(AcmSerial.AreEqual(decimalText, "01" + dotnet));
        Assert.False(AcmSerial.AreEqual(null, dotnet));
    }
}
