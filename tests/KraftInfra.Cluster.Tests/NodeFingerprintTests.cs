namespace KraftInfra.Cluster.Tests;

public class NodeFingerprintTests
{
    private static string Of(ClusterSpec spec, string node)
    {
        var topology = Topology.Plan(spec);
        return NodeFingerprint.Of(spec, topology, topology.Nodes.Single(n => n.Name == node), "eu-west-1a");
    }

    [Fact]
    public void The_same_spec_gives_the_same_fingerprint()
    {
        Assert.Equal(Of(new ClusterSpec(), "kraft-broker-1"), Of(new ClusterSpec(), "kraft-broker-1"));
        Assert.NotEqual(Of(new ClusterSpec(), "kraft-broker-1"), Of(new ClusterSpec(), "kraft-broker-2"));
    }

    [Theory]
    [InlineData(Settings.KafkaVersion, "4.1.1", true, true)]
    [InlineData(Settings.BrokerInstanceType, "m7i.large", false, true)]
    [InlineData(Settings.BrokerHeap, "2g", false, true)]
    [InlineData(Settings.ControllerProperties, "{\"num.io.threads\": \"4\"}", true, false)]
    [InlineData(Settings.ClientCidrs, "[\"10.9.0.0/16\"]", false, false)]
    [InlineData(Settings.Topics, "[{\"name\": \"orders\"}]", false, false)]
    public void A_change_moves_the_fingerprint_of_exactly_the_nodes_it_restarts(string key, string value, bool controllers, bool brokers)
    {
        var before = new ClusterSpec();
        var after = Clusters.Spec((key, value));

        Assert.Equal(controllers, Of(before, "kraft-controller-1") != Of(after, "kraft-controller-1"));
        Assert.Equal(brokers, Of(before, "kraft-broker-1") != Of(after, "kraft-broker-1"));
    }
}
