using System.Globalization;

namespace KraftInfra.Cluster;

/// <summary>One Kafka node as planned: who it is, where it lives and the address it will have.</summary>
public sealed record KafkaNodePlan(int NodeId, NodeRole Role, string Name, int ZoneSlot, string PrivateIp, string SubnetCidr)
{
    /// <summary>host:port of the listener other nodes reach this node on.</summary>
    public string Endpoint(ClusterSpec spec) =>
        $"{PrivateIp}:{(Role == NodeRole.Controller ? spec.ControllerPort : spec.ClientPort).ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>The subnet of one availability-zone slot (the zone's name is only known in the cloud).</summary>
public sealed record ZonePlan(int Slot, string SubnetCidr);

/// <summary>
/// The cluster's nodes, deterministically derived from the spec: the same settings always give the
/// same ids, names, zones and addresses, so <c>pulumi preview</c> of an unchanged stack changes nothing.
/// </summary>
public sealed record ClusterTopology(
    IReadOnlyList<KafkaNodePlan> Nodes,
    IReadOnlyList<ZonePlan> Zones,
    string QuorumVoters)
{
    public IEnumerable<KafkaNodePlan> Controllers => Nodes.Where(n => n.Role == NodeRole.Controller);
    public IEnumerable<KafkaNodePlan> Brokers => Nodes.Where(n => n.Role == NodeRole.Broker);

    public KafkaNodePlan Node(string name) =>
        Nodes.FirstOrDefault(n => n.Name == name) ?? throw new ArgumentException($"no node named {name}", nameof(name));

    /// <summary>Brokers' host:port list, what clients use as bootstrap.servers.</summary>
    public string BootstrapServers(ClusterSpec spec) => string.Join(",", Brokers.Select(b => b.Endpoint(spec)));
}

public static class Topology
{
    /// <summary>Each zone's subnet is a sixteenth of the VPC (a /20 of a /16).</summary>
    public const int SubnetPrefixExtension = 4;

    /// <summary>
    /// Host offsets inside a zone's subnet. AWS reserves the first four addresses and the last;
    /// controllers take offsets 10 to 29 and brokers 30 onwards, so adding brokers never moves a controller.
    /// </summary>
    public const int FirstControllerOffset = 10;
    public const int FirstBrokerOffset = 30;

    /// <summary>Controllers are numbered from 1; brokers from 101, so ids never collide as counts change.</summary>
    public const int FirstControllerId = 1;
    public const int FirstBrokerId = 101;

    public static ClusterTopology Plan(ClusterSpec spec)
    {
        var subnetPrefix = spec.VpcCidr.Prefix + SubnetPrefixExtension;
        var zones = Enumerable.Range(0, spec.AvailabilityZoneCount)
            .Select(slot => new ZonePlan(slot, spec.VpcCidr.Subnet(subnetPrefix, slot).ToString()))
            .ToList();

        var nodes = new List<KafkaNodePlan>();
        nodes.AddRange(PlanRole(spec, NodeRole.Controller, spec.ControllerCount, FirstControllerId, FirstControllerOffset, subnetPrefix));
        nodes.AddRange(PlanRole(spec, NodeRole.Broker, spec.BrokerCount, FirstBrokerId, FirstBrokerOffset, subnetPrefix));

        var voters = string.Join(",", nodes
            .Where(n => n.Role == NodeRole.Controller)
            .OrderBy(n => n.NodeId)
            .Select(n => $"{n.NodeId.ToString(CultureInfo.InvariantCulture)}@{n.Endpoint(spec)}"));

        return new ClusterTopology(nodes, zones, voters);
    }

    private static IEnumerable<KafkaNodePlan> PlanRole(ClusterSpec spec, NodeRole role, int count, int firstId, int firstOffset, int subnetPrefix)
    {
        for (var index = 0; index < count; index++)
        {
            // Round robin per role: the n-th controller and the n-th broker share a zone, and each
            // role is spread as evenly as the zone count allows.
            var slot = index % spec.AvailabilityZoneCount;
            var indexInZone = index / spec.AvailabilityZoneCount;
            var subnet = spec.VpcCidr.Subnet(subnetPrefix, slot);
            var number = index + 1;
            yield return new KafkaNodePlan(
                NodeId: firstId + index,
                Role: role,
                Name: $"{spec.ClusterName}-{role.ToKafkaName()}-{number.ToString(CultureInfo.InvariantCulture)}",
                ZoneSlot: slot,
                PrivateIp: subnet.AddressAt((uint)(firstOffset + indexInZone)),
                SubnetCidr: subnet.ToString());
        }
    }
}
