using System.Globalization;

namespace KraftInfra.Cluster;

/// <summary>
/// AWS tags, derived only from settings and topology so that an unchanged stack previews with no
/// changes. Every resource carries the cluster tag; nodes and their volumes add role and node id.
/// </summary>
public static class ResourceTags
{
    public static IReadOnlyDictionary<string, string> ForCluster(ClusterSpec spec, string name) =>
        new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["Name"] = name,
            ["cluster"] = spec.ClusterName,
            ["managed-by"] = "kraft-infra",
        };

    public static IReadOnlyDictionary<string, string> ForNode(ClusterSpec spec, KafkaNodePlan node, string? suffix = null) =>
        new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["Name"] = suffix is null ? node.Name : $"{node.Name}-{suffix}",
            ["cluster"] = spec.ClusterName,
            ["managed-by"] = "kraft-infra",
            ["role"] = node.Role.ToKafkaName(),
            ["node-id"] = node.NodeId.ToString(CultureInfo.InvariantCulture),
            [ReplicationBasisTag] = spec.ReplicationBrokerCount.ToString(CultureInfo.InvariantCulture),
            [SecurityTag] = spec.Security.ToSettingValue(),
        };

    /// <summary>On every node: the security mode it runs (scram-tls or plaintext); a node without it predates the setting and runs plaintext.</summary>
    public const string SecurityTag = "security";

    /// <summary>On every instance: its <see cref="NodeFingerprint"/>, so the next run can tell whether a change reaches it.</summary>
    public const string FingerprintTag = "fingerprint";

    /// <summary>On every node: the broker count its derived replication settings come from (<see cref="ClusterSpec.ReplicationBasis"/>).</summary>
    public const string ReplicationBasisTag = "replication-basis";
}
