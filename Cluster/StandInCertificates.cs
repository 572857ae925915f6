using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KraftInfra.Cluster;

/// <summary>
/// A throwaway CA and node certificates of the shape the stack issues with Pulumi's TLS provider
/// (ECDSA P-256; CN and DNS name the node's name, IP SAN its private IP), for what runs without
/// the cloud: tools/render, the user-data size check and the tests. Never used by pulumi up.
/// </summary>
public sealed class StandInCertificates : IDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _ca;

    public StandInCertificates(string clusterName)
    {
        var request = new CertificateRequest($"CN={clusterName} kraft-infra CA", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        _ca = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        CaCertificatePem = _ca.ExportCertificatePem() + "\n";
    }

    public string CaCertificatePem { get; }

    /// <summary>A node certificate and its PKCS#8 private key, both PEM.</summary>
    public (string CertificatePem, string PrivateKeyPem) Issue(KafkaNodePlan node)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={node.Name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(node.Name);
        names.AddIpAddress(IPAddress.Parse(node.PrivateIp));
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false)); // server and client auth
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var certificate = request.Create(_ca, now.AddMinutes(-5), now.AddYears(2), serial);
        return (certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    public void Dispose()
    {
        _ca.Dispose();
        _caKey.Dispose();
    }
}
