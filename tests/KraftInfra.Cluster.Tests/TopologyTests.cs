namespace KraftInfra.Cluster.Tests;

public class TopologyTests
{
    [Fact]
    public void The_default_cluster_has_two_controllers_and_two_brokers_spread_over_two_zones()
    {
        var topology = Topology.Plan(new ClusterSpec());

        Assert.Equal(
            [
                new KafkaNodePlan(1, NodeRole.Controller, "kraft-controller-1", 0, "10.42.0.10", "10.42.0.0/20"),
                new KafkaNodePlan(2, NodeRole.Controller, "kraft-controller-2", 1, "10.42.16.10", "10.42.16.0/20"),
                new KafkaNodePlan(101, NodeRole.Broker, "kraft-broker-1", 0, "10.42.0.30", "10.42.0.0/20"),
                new KafkaNodePlan(102, NodeRole.Broker, "kraft-broker-2", 1, "10.42.16.30", "10.42.16.0/20"),
            ],
            topology.Nodes);
        Assert.Equal("1@10.42.0.10:9093,2@10.42.16.10:9093", topology.QuorumVoters);
        Assert.Equal([new ZonePlan(0, "10.42.0.0/20"), new ZonePlan(1, "10.42.16.0/20")], topology.Zones);
        Assert.Equal("10.42.0.30:9092,10.42.16.30:9092", topology.BootstrapServers(new ClusterSpec()));
    }

    [Fact]
    public void Three_and_three_over_three_zones_puts_one_of_each_role_in_every_zone()
    {
        var spec = Clusters.WithCounts(3, 3, zones: 3);
        var topology = Topology.Plan(spec);

        Assert.Equal(["kraft-controller-1", "kraft-controller-2", "kraft-controller-3"], topology.Controllers.Select(n => n.Name));
        Assert.Equal([101, 102, 103], topology.Brokers.Select(n => n.NodeId));
        Assert.Equal([0, 1, 2], topology.Controllers.Select(n => n.ZoneSlot));
        Assert.Equal([0, 1, 2], topology.Brokers.Select(n => n.ZoneSlot));
        Assert.Equal("1@10.42.0.10:9093,2@10.42.16.10:9093,3@10.42.32.10:9093", topology.QuorumVoters);
    }

    [Fact]
    public void One_and_one_gives_a_single_voter_quorum()
    {
        var topology = Topology.Plan(Clusters.WithCounts(1, 1, zones: 1));

        Assert.Equal(2, topology.Nodes.Count);
        Assert.Equal("1@10.42.0.10:9093", topology.QuorumVoters);
        Assert.Equal("10.42.0.30", topology.Brokers.Single().PrivateIp);
        Assert.Single(topology.Zones);
    }

    [Fact]
    public void More_nodes_than_zones_wrap_round_robin_and_take_the_next_address_in_the_zone()
    {
        var topology = Topology.Plan(Clusters.WithCounts(3, 5, zones: 2));

        Assert.Equal([0, 1, 0], topology.Controllers.Select(n => n.ZoneSlot));
        Assert.Equal(["10.42.0.10", "10.42.16.10", "10.42.0.11"], topology.Controllers.Select(n => n.PrivateIp));
        Assert.Equal(["10.42.0.30", "10.42.16.30", "10.42.0.31", "10.42.16.31", "10.42.0.32"], topology.Brokers.Select(n => n.PrivateIp));
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 2, 2)]
    [InlineData(3, 3, 3)]
    [InlineData(5, 12, 3)]
    [InlineData(9, 60, 6)]
    public void Ids_names_and_addresses_are_unique_and_every_address_is_usable_in_its_zone_subnet(int controllers, int brokers, int zones)
    {
        var spec = Clusters.WithCounts(controllers, brokers, zones);
        var topology = Topology.Plan(spec);

        Assert.Equal(controllers + brokers, topology.Nodes.Count);
        Assert.Equal(topology.Nodes.Count, topology.Nodes.Select(n => n.NodeId).Distinct().Count());
        Assert.Equal(topology.Nodes.Count, topology.Nodes.Select(n => n.Name).Distinct().Count());
        Assert.Equal(topology.Nodes.Count, topology.Nodes.Select(n => n.PrivateIp).Distinct().Count());
        foreach (var node in topology.Nodes)
        {
            Assert.True(Ipv4Network.TryParse(node.SubnetCidr, out var subnet, out _));
            Assert.Equal(topology.Zones[node.ZoneSlot].SubnetCidr, node.SubnetCidr);
            var offset = Offset(node.PrivateIp) - subnet.Network;
            // AWS keeps the first four addresses of a subnet and its last.
            Assert.InRange(offset, 4u, (uint)subnet.Size - 2);
        }
    }

    [Fact]
    public void The_same_settings_always_give_the_same_topology()
    {
        var first = Topology.Plan(Clusters.WithCounts(3, 4, zones: 3));
        var second = Topology.Plan(Clusters.WithCounts(3, 4, zones: 3));

        Assert.Equal(first.Nodes, second.Nodes);
        Assert.Equal(first.Zones, second.Zones);
        Assert.Equal(first.QuorumVoters, second.QuorumVoters);
    }

    [Fact]
    public void Adding_brokers_moves_no_existing_node()
    {
        var before = Topology.Plan(Clusters.WithCounts(3, 3, zones: 3));
        var after = Topology.Plan(Clusters.WithCounts(3, 6, zones: 3));

        Assert.All(before.Nodes, node => Assert.Contains(node, after.Nodes));
    }

    private static uint Offset(string ip) =>
        ip.Split('.').Select(uint.Parse).Aggregate(0u, (acc, b) => (acc << 8) | b);
}
