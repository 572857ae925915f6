namespace KraftInfra.Cluster.Tests;

public class NodeRemovalTests
{
    private static IReadOnlyList<string> IpsOf(int controllers, int brokers) =>
        Topology.Plan(Clusters.WithCounts(controllers, brokers)).Nodes.Select(n => n.PrivateIp).ToList();

    [Fact]
    public void Lowering_the_broker_count_is_refused_naming_the_nodes_that_would_go()
    {
        var spec = Clusters.WithCounts(2, 2);

        var problem = Assert.Single(NodeRemoval.Problems(spec, Topology.Plan(spec), IpsOf(2, 3)));

        Assert.StartsWith("kraft-infra:brokerCount / kraft-infra:controllerCount: the change removes 1 existing node (10.42.0.31)", problem);
        Assert.Contains("kraft-infra:confirmNodeRemoval", problem);
        Assert.Contains("their data volumes", problem);
    }

    [Fact]
    public void Confirmed_removal_and_growth_pass()
    {
        var confirmed = Clusters.WithCounts(2, 2) with { ConfirmNodeRemoval = true };
        var grown = Clusters.WithCounts(2, 4);

        Assert.Empty(NodeRemoval.Problems(confirmed, Topology.Plan(confirmed), IpsOf(2, 3)));
        Assert.Empty(NodeRemoval.Problems(grown, Topology.Plan(grown), IpsOf(2, 3)));
        Assert.Empty(NodeRemoval.Problems(grown, Topology.Plan(grown), []));
    }
}
