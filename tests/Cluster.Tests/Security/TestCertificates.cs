using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DistTrainer.Cluster.Security;

namespace DistTrainer.Cluster.Tests.Security;

/// <summary>Certificates made in the test: a cluster's CA and node certificates it issues, another CA's, and self-signed ones.</summary>
public sealed class TestCertificates
{
    private static readonly OidCollection NodeUsages = [new("1.3.6.1.5.5.7.3.1"), new("1.3.6.1.5.5.7.3.2")];

    private readonly X509Certificate2 _authority;

    public TestCertificates(string authorityName = "disttrainer test CA")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={authorityName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        _authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddDays(30));
    }

    /// <summary>The CA certificate, without its key: what every node is given to trust.</summary>
    public X509Certificate2 Authority => X509CertificateLoader.LoadCertificate(_authority.RawData);

    /// <summary>A certificate for <paramref name="name"/> signed by this CA, with its key.</summary>
    public X509Certificate2 Issue(string name, OidCollection? usages = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = NodeRequest(name, key, usages);
        var serial = RandomNumberGenerator.GetBytes(8);
        using var issued = request.Create(_authority, DateTimeOffset.UtcNow.AddMinutes(-5), notAfter ?? DateTimeOffset.UtcNow.AddDays(1), serial);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>Credentials of a node of this CA's cluster.</summary>
    public TlsCredentials Node(string name) => TlsCredentials.Create(Authority, Issue(name));

    /// <summary>A node certificate that signed itself: right usages, no CA behind it.</summary>
    public static X509Certificate2 SelfSigned(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return NodeRequest(name, key, null).CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static CertificateRequest NodeRequest(string name, ECDsa key, OidCollection? usages)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages ?? NodeUsages, false));
        return request;
    }

    /// <summary>Writes the CA and <paramref name="node"/> as PEM files, the way deploy/make-certs.sh lays them out.</summary>
    public TlsOptions WritePem(string directory, string name, X509Certificate2 node)
    {
        string ca = Path.Combine(directory, "ca.crt"), cert = Path.Combine(directory, $"{name}.crt"), key = Path.Combine(directory, $"{name}.key");
        File.WriteAllText(ca, _authority.ExportCertificatePem());
        File.WriteAllText(cert, node.ExportCertificatePem());
        File.WriteAllText(key, node.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return new TlsOptions(ca, cert, key);
    }
}
