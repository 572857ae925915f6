namespace KraftInfra.Cluster;

/// <summary>
/// A lower node count deletes the nodes that leave the topology, their data volumes with them
/// (unless kept). A broker's partitions still live there until they are reassigned, and a
/// controller leaving a static quorum leaves the others waiting for it: so removal is refused,
/// naming the nodes, unless confirmNodeRemoval says the user has moved everything off.
/// </summary>
public static class NodeRemoval
{
    /// <param name="existingPrivateIps">The cluster's instances EC2 has now, by their fixed private addresses.</param>
    public static IReadOnlyList<string> Problems(ClusterSpec spec, ClusterTopology topology, IReadOnlyCollection<string> existingPrivateIps)
    {
        if (spec.ConfirmNodeRemoval) return [];
        var planned = topology.Nodes.Select(n => n.PrivateIp).ToHashSet(StringComparer.Ordinal);
        var leaving = existingPrivateIps.Where(ip => !planned.Contains(ip)).Order(StringComparer.Ordinal).ToList();
        if (leaving.Count == 0) return [];
        return
        [
            $"{Settings.Namespace}:{Settings.BrokerCount} / {Settings.Namespace}:{Settings.ControllerCount}: the change removes "
            + $"{leaving.Count} existing node{(leaving.Count == 1 ? "" : "s")} ({string.Join(", ", leaving)}), deleting "
            + (spec.KeepDataVolumesOnDestroy ? "the instances" : "the instances and their data volumes")
            + " while partitions may still live there; move them off first (kafka-reassign-partitions.sh), then set "
            + $"{Settings.Namespace}:{Settings.ConfirmNodeRemoval} to true (or restore the counts).",
        ];
    }
}
