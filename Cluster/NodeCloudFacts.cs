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

    public NodeCloudFacts(string clusterUuid, string dataVolumeId, string zoneName)
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
    }

    [GeneratedRegex("^vol-[0-9a-f]{8,17}$")]
    private static partial Regex VolumeId();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex ZoneNamePattern();
}
