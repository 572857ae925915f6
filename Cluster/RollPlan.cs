using System.Globalization;

namespace KraftInfra.Cluster;

/// <summary>
/// The order in which a change reaches the nodes that already run, one at a time: controllers by
/// node id, then brokers by node id (as Strimzi and cp-ansible roll). Each of those nodes waits
/// for the gate of the one before it, and the first for the pre-flight. A node that does not exist
/// yet (a new stack, an added broker) waits for nothing, so a new cluster is created in parallel.
/// </summary>
public sealed record RollPlan(IReadOnlyList<KafkaNodePlan> Chain)
{
    /// <param name="existingPrivateIps">The private addresses of the cluster's instances EC2 knows (each node's is fixed).</param>
    public static RollPlan For(ClusterTopology topology, IReadOnlySet<string> existingPrivateIps) =>
        new(topology.Nodes
            .Where(n => existingPrivateIps.Contains(n.PrivateIp))
            .OrderBy(n => n.Role == NodeRole.Controller ? 0 : 1)
            .ThenBy(n => n.NodeId)
            .ToList());

    public bool IsRolled(KafkaNodePlan node) => Chain.Contains(node);

    /// <summary>The node whose gate this one waits for; null for the first of the chain and for new nodes.</summary>
    public KafkaNodePlan? WaitsFor(KafkaNodePlan node)
    {
        var at = IndexOf(node);
        return at > 0 ? Chain[at - 1] : null;
    }

    /// <summary>The first node of the chain waits for the pre-flight check.</summary>
    public bool WaitsForPreflight(KafkaNodePlan node) => IndexOf(node) == 0;

    /// <summary>Where the pre-flight runs: the first existing broker (it needs a client listener); none without one.</summary>
    public KafkaNodePlan? PreflightTarget => Chain.FirstOrDefault(n => n.Role == NodeRole.Broker);

    /// <summary>The gate script's argument for a node: controller:ID or broker:ID.</summary>
    public static string GateCheck(KafkaNodePlan node) =>
        $"{node.Role.ToKafkaName()}:{node.NodeId.ToString(CultureInfo.InvariantCulture)}";

    private int IndexOf(KafkaNodePlan node) => Chain.ToList().IndexOf(node);
}
