using System.Text.RegularExpressions;

namespace KraftInfra.Cluster;

/// <summary>
/// What only the cloud knows about a node when its user data is rendered: the cluster's UUID (a
/// Pulumi RandomUuid), the id of the node's EBS data volume and the name of its availability zone.
/// </summary>
public sealed partial record NodeCloudFacts
{
    public string ClusterUuid { get; }
    public string DataVolumeId { get; }
    public string ZoneName { get; }

    /// <summary>scram-tls only: the node's certificate and the cluster CA's, PEM (public: they go in the user data).</summary>
    public string? NodeCertificatePem { get; }
    public string? CaCertificatePem { get; }

    public NodeCloudFacts(string clusterUuid, string dataVolumeId, string zoneName,
        string? nodeCertificatePem = null, string? caCertificatePem = null)
    {
        // Fail here, with the value, rather than in a script on the node.
        _ = KafkaClusterId.FromUuid(clusterUuid);
        if (!VolumeId().IsMatch(dataVolumeId ?? ""))
            throw new ArgumentException($"\"{dataVolumeId}\" is not an EBS volume id like vol-0123456789abcdef0", nameof(dataVolumeId));
        if (!ZoneNamePattern().IsMatch(zoneName ?? ""))
            throw new ArgumentException($"\"{zoneName}\" is not an availability zone name like us-east-1a", nameof(zoneName));
        ClusterUuid = clusterUuid!;
        DataVolumeId = dataVolumeId!;
        ZoneName = zoneName!;
        foreach (var (name, pem) in new[] { (nameof(nodeCertificatePem), nodeCertificatePem), (nameof(caCertificatePem), caCertificatePem) })
        {
            if (pem is null) continue;
            // Only certificates: a private key must never reach the user data.
            if (!pem.TrimStart().StartsWith("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal) || pem.Contains("PRIVATE KEY", StringComparison.Ordinal))
                throw new ArgumentException("is not a PEM certificate (and nothing else)", name);
        }
        NodeCertificatePem = nodeCertificatePem;
        CaCertificatePem = caCertificatePem;
    }

    [GeneratedRegex("^vol-[0-9a-f]{8,17}$")]
    private static partial Regex VolumeId();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex ZoneNamePattern();
}
