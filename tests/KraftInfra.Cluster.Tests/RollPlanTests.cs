namespace KraftInfra.Cluster.Tests;

public class RollPlanTests
{
    private static readonly ClusterTopology Topology3x3 = Cluster.Topology.Plan(Clusters.WithCounts(3, 3, 3));

    private static HashSet<string> Ips(params string[] names) =>
        Topology3x3.Nodes.Where(n => names.Contains(n.Name)).Select(n => n.PrivateIp).ToHashSet();

    [Fact]
    public void A_new_stack_rolls_nothing_so_every_node_is_created_at_once()
    {
        var plan = RollPlan.For(Topology3x3, new HashSet<string>());

        Assert.Empty(plan.Chain);
        Assert.All(Topology3x3.Nodes, n => Assert.Null(plan.WaitsFor(n)));
        Assert.All(Topology3x3.Nodes, n => Assert.False(plan.WaitsForPreflight(n)));
        Assert.Null(plan.PreflightTarget);
    }

    [Fact]
    public void An_existing_stack_rolls_controllers_by_id_then_brokers_by_id_each_after_the_previous_gate()
    {
        var plan = RollPlan.For(Topology3x3, Topology3x3.Nodes.Select(n => n.PrivateIp).ToHashSet());

        Assert.Equal(["kraft-controller-1", "kraft-controller-2", "kraft-controller-3", "kraft-broker-1", "kraft-broker-2", "kraft-broker-3"],
            plan.Chain.Select(n => n.Name));
        var waits = Topology3x3.Nodes.ToDictionary(n => n.Name, n => plan.WaitsFor(n)?.Name);
        Assert.Null(waits["kraft-controller-1"]);
        Assert.Equal("kraft-controller-1", waits["kraft-controller-2"]);
        Assert.Equal("kraft-controller-3", waits["kraft-broker-1"]);
        Assert.Equal("kraft-broker-2", waits["kraft-broker-3"]);
        Assert.True(plan.WaitsForPreflight(plan.Chain[0]));
        Assert.Equal("kraft-broker-1", plan.PreflightTarget!.Name);
    }

    public static TheoryData<string[], string, string?> Partial => new()
    {
        // An added broker waits for nothing; the existing ones still roll.
        { ["kraft-controller-1", "kraft-controller-2", "kraft-controller-3", "kraft-broker-1", "kraft-broker-2"], "kraft-broker-3", null },
        { ["kraft-controller-1", "kraft-controller-2", "kraft-controller-3", "kraft-broker-1", "kraft-broker-2"], "kraft-broker-2", "kraft-broker-1" },
        // A node missing from the middle (terminated by hand) is skipped: the next waits for the one before.
        { ["kraft-controller-1", "kraft-controller-3", "kraft-broker-1"], "kraft-controller-3", "kraft-controller-1" },
        { ["kraft-controller-1", "kraft-controller-3", "kraft-broker-1"], "kraft-controller-2", null },
    };

    [Theory]
    [MemberData(nameof(Partial))]
    public void Only_nodes_that_exist_are_chained(string[] existing, string node, string? waitsFor)
    {
        var plan = RollPlan.For(Topology3x3, Ips(existing));

        Assert.Equal(waitsFor, plan.WaitsFor(Topology3x3.Nodes.Single(n => n.Name == node))?.Name);
    }

    [Theory]
    [InlineData("kraft-controller-2", "controller:2")]
    [InlineData("kraft-broker-3", "broker:103")]
    public void The_gate_checks_the_node_by_role_and_id(string node, string check)
    {
        Assert.Equal(check, RollPlan.GateCheck(Topology3x3.Nodes.Single(n => n.Name == node)));
    }
}
