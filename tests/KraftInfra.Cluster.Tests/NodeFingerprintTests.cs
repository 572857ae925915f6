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
    // The rows of the README's "Changing a running cluster" table that are about what nodes run.
    [InlineData(Settings.KafkaDownloadUrl, "https://mirror.example.org/kafka", true, true)]
    [InlineData(Settings.KafkaArchiveUrl, "https://mirror.example.org/archive", true, true)]
    [InlineData(Settings.JavaPackage, "openjdk-17-jre-headless", true, true)]
    [InlineData(Settings.ClientPort, "9094", false, true)]
    [InlineData(Settings.ControllerPort, "9095", true, true)]
    [InlineData(Settings.ControllerHeap, "1g", true, false)]
    [InlineData(Settings.ControllerInstanceType, "m7i.large", true, false)]
    [InlineData(Settings.ControllerWaitTimeoutSeconds, "600", true, true)]
    [InlineData(Settings.BrokerProperties, "{\"num.io.threads\": \"16\"}", false, true)]
    [InlineData(Settings.VolumeIops, "6000", false, false)]
    [InlineData(Settings.BrokerVolumeSizeGiB, "200", false, false)]
    [InlineData(Settings.ReadinessTimeoutSeconds, "600", false, false)]
    [InlineData(Settings.KeepDataVolumesOnDestroy, "true", false, false)]
    [InlineData(Settings.MetadataVersion, "4.2-IV1", false, false)]
    public void A_change_moves_the_fingerprint_of_exactly_the_nodes_it_restarts(string key, string value, bool controllers, bool brokers)
    {
        var before = new ClusterSpec();
        var after = Clusters.Spec((key, value));

        Assert.Equal(controllers, Of(before, "kraft-controller-1") != Of(after, "kraft-controller-1"));
        Assert.Equal(brokers, Of(before, "kraft-broker-1") != Of(after, "kraft-broker-1"));
    }
}
