using CertDaemon.Aws.Acm;
using CertDaemon.Kernel;
using CertDaemon.Tests.Deployment.Acm;

namespace CertDaemon.Tests.Aws.Acm;

public sealed class AcmKeyAlgorithmsTests
{
    [Theory]
    [InlineData(KeyType.Ec256, "EC_prime256v1")]
    [InlineData(KeyType.Ec384, "EC_secp384r1")]
    [InlineData(KeyType.Rsa2048, "RSA_2048")]
    [InlineData(KeyType.Rsa3072, "RSA_3072")]
    [InlineData(KeyType.Rsa4096, "RSA_4096")]
    public void Every_key_type_maps_to_acm_name_and_back(KeyType keyType, string acm)
    {
        Assert.Equal(acm, AcmKeyAlgorithms.FromKeyType(keyType));
        Assert.Equal(keyType, AcmKeyAlgorithms.ToKeyType(acm));
        Assert.Contains(acm, AcmKeyAlgorithms.All);
    }

    [Theory]
    [InlineData(KeyType.Ec256)]
    [InlineData(KeyType.Ec384)]
    [InlineData(KeyType.Rsa2048)]
    public void A_certificate_reports_the_algorithm_of_its_key_type(KeyType keyType)
    {
        using var lineage = new AcmTestLineage("alg", "alg.example.test");
        lineage.AddLiveVersion(keyType);

        Assert.Equal(AcmKeyAlgorithms.FromKeyType(keyType), AcmKeyAlgorithms.FromCertificate(lineage.LeafOf(1)));
    }
}
