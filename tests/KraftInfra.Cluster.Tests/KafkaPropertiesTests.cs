namespace KraftInfra.Cluster.Tests;

public class KafkaPropertiesTests
{
    private static Dictionary<string, string> PropertiesOf(ClusterSpec spec, KafkaNodePlan node, ClusterTopology topology) =>
        Clusters.Properties(KafkaProperties.For(spec, topology, node, "us-east-1a").Render());

    public static TheoryData<int, int, int> Shapes => new() { { 1, 1, 1 }, { 2, 2, 2 }, { 3, 3, 3 }, { 5, 7, 3 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_node_obeys_kafkas_kraft_rules(int controllers, int brokers, int zones)
    {
        var spec = Clusters.WithCounts(controllers, brokers, zones);
        var topology = Topology.Plan(spec);

        foreach (var node in topology.Nodes)
            Assert.Empty(KraftRules.Violations(PropertiesOf(spec, node, topology)));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void All_nodes_agree_on_the_quorum_and_have_unique_ids(int controllers, int brokers, int zones)
    {
        var spec = Clusters.WithCounts(controllers, brokers, zones);
        var topology = Topology.Plan(spec);
        var all = topology.Nodes.Select(n => PropertiesOf(spec, n, topology)).ToList();

        Assert.Single(all.Select(p => p["controller.quorum.voters"]).Distinct());
        Assert.Single(all.Select(p => p["controller.listener.names"]).Distinct());
        Assert.Equal(all.Count, all.Select(p => p["node.id"]).Distinct().Count());
        // Every voter is a controller, listening where the voters say it is.
        var voters = all[0]["controller.quorum.voters"].Split(',');
        var controllerEndpoints = all.Where(p => p["process.roles"] == "controller")
            .Select(p => $"{p["node.id"]}@{KraftRules.Listeners(p["listeners"]).Single().Host}:{KraftRules.Listeners(p["listeners"]).Single().Port}");
        Assert.Equal(voters.Order(), controllerEndpoints.Order());
    }

    [Fact]
    public void A_controller_listens_only_on_the_controller_listener_and_carries_no_broker_settings()
    {
        var spec = new ClusterSpec();
        var topology = Topology.Plan(spec);
        var p = PropertiesOf(spec, topology.Controllers.First(), topology);

        Assert.Equal("controller", p["process.roles"]);
        Assert.Equal("1", p["node.id"]);
        Assert.Equal("CONTROLLER://10.42.0.10:9093", p["listeners"]);
        Assert.Equal("CONTROLLER", p["controller.listener.names"]);
        Assert.Equal("CONTROLLER:SASL_SSL", p["listener.security.protocol.map"]);
        Assert.Equal("/var/lib/kafka/data", p["log.dirs"]);
        Assert.Equal("/var/lib/kafka/metadata", p["metadata.log.dir"]);
        foreach (var absent in new[] { "advertised.listeners", "inter.broker.listener.name", "broker.rack", "offsets.topic.replication.factor" })
            Assert.False(p.ContainsKey(absent), absent);
    }

    [Theory]
    [InlineData("4.1.0", "3", "2")]
    [InlineData("4.3.1", "5", "2")]
    [InlineData("4.3.1", "2", "1")]
    public void From_kafka_4_1_controllers_carry_the_brokers_min_insync_replicas_which_ELR_copies_cluster_wide(string version, string brokers, string minIsr)
    {
        var spec = Clusters.Spec((Settings.KafkaVersion, version), (Settings.BrokerCount, brokers));
        var topology = Topology.Plan(spec);

        Assert.Equal(minIsr, PropertiesOf(spec, topology.Controllers.First(), topology)["min.insync.replicas"]);
        Assert.Equal(minIsr, PropertiesOf(spec, topology.Brokers.First(), topology)["min.insync.replicas"]);
    }

    [Fact]
    public void Derived_replication_keeps_the_broker_count_the_cluster_was_created_with()
    {
        var spec = Clusters.Spec((Settings.BrokerCount, "3")) with { ReplicationBasis = 2 };
        var topology = Topology.Plan(spec);

        var broker = PropertiesOf(spec, topology.Brokers.Last(), topology);
        Assert.Equal("2", broker["default.replication.factor"]);
        Assert.Equal("1", broker["min.insync.replicas"]);
        Assert.Equal("1", PropertiesOf(spec, topology.Controllers.First(), topology)["min.insync.replicas"]);
        Assert.Contains("derived from 2 brokers", KafkaProperties.For(spec, topology, topology.Brokers.Last(), "us-east-1a").Render());
    }

    [Fact]
    public void From_kafka_4_1_controllers_carry_a_min_insync_replicas_the_user_gives_the_brokers()
    {
        var spec = Clusters.Spec((Settings.BrokerCount, "3"), (Settings.BrokerProperties, """{"min.insync.replicas": "3"}"""));
        var topology = Topology.Plan(spec);

        Assert.Equal("3", PropertiesOf(spec, topology.Controllers.First(), topology)["min.insync.replicas"]);
    }

    [Theory]
    [InlineData("3.9.1")]
    [InlineData("4.0.1")]
    public void Before_kafka_4_1_controllers_carry_no_min_insync_replicas(string version)
    {
        var spec = Clusters.Spec((Settings.KafkaVersion, version));
        var topology = Topology.Plan(spec);

        Assert.False(PropertiesOf(spec, topology.Controllers.First(), topology).ContainsKey("min.insync.replicas"));
    }

    [Fact]
    public void A_broker_advertises_its_private_ip_names_the_controller_listener_and_sits_in_its_zones_rack()
    {
        var spec = new ClusterSpec();
        var topology = Topology.Plan(spec);
        var p = PropertiesOf(spec, topology.Brokers.Last(), topology);

        Assert.Equal("broker", p["process.roles"]);
        Assert.Equal("102", p["node.id"]);
        Assert.Equal("CLIENT://10.42.16.30:9092", p["listeners"]);
        Assert.Equal("CLIENT://10.42.16.30:9092", p["advertised.listeners"]);
        Assert.Equal("CONTROLLER", p["controller.listener.names"]);
        Assert.Equal("CONTROLLER:SASL_SSL,CLIENT:SASL_SSL", p["listener.security.protocol.map"]);
        Assert.Equal("CLIENT", p["inter.broker.listener.name"]);
        Assert.Equal("us-east-1a", p["broker.rack"]);
        Assert.Equal("1@10.42.0.10:9093,2@10.42.16.10:9093", p["controller.quorum.voters"]);
    }

    [Theory]
    [InlineData(1, "1", "1")]
    [InlineData(2, "2", "1")]
    [InlineData(3, "3", "2")]
    [InlineData(6, "3", "2")]
    public void Internal_topic_replication_never_exceeds_the_broker_count(int brokers, string factor, string minIsr)
    {
        var spec = Clusters.WithCounts(3, brokers);
        var topology = Topology.Plan(spec);
        var p = PropertiesOf(spec, topology.Brokers.First(), topology);

        foreach (var key in new[] { "default.replication.factor", "offsets.topic.replication.factor",
                     "transaction.state.log.replication.factor", "share.coordinator.state.topic.replication.factor" })
            Assert.Equal(factor, p[key]);
        foreach (var key in new[] { "min.insync.replicas", "transaction.state.log.min.isr", "share.coordinator.state.topic.min.isr" })
            Assert.Equal(minIsr, p[key]);
        Assert.All(p.Where(e => e.Key.EndsWith("replication.factor")), e => Assert.InRange(int.Parse(e.Value), 1, brokers));
    }

    [Fact]
    public void Share_coordinator_keys_appear_only_for_kafka_4_and_later()
    {
        var spec = Clusters.Spec((Settings.KafkaVersion, "3.9.1"));
        var topology = Topology.Plan(spec);
        var p = PropertiesOf(spec, topology.Brokers.First(), topology);

        Assert.DoesNotContain(p.Keys, k => k.StartsWith("share.", StringComparison.Ordinal));
        Assert.Equal("2", p["offsets.topic.replication.factor"]);
    }

    [Fact]
    public void Extra_properties_come_last_and_replace_the_derived_value_they_name()
    {
        var spec = Clusters.Spec((Settings.BrokerProperties, "{\"min.insync.replicas\": \"2\", \"auto.create.topics.enable\": \"false\"}"));
        var topology = Topology.Plan(spec);
        var text = KafkaProperties.For(spec, topology, topology.Brokers.First(), "us-east-1a").Render();
        var lines = text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').ToList();

        Assert.Single(lines, l => l.StartsWith("min.insync.replicas=", StringComparison.Ordinal));
        Assert.Equal(["auto.create.topics.enable=false", "min.insync.replicas=2"], lines.TakeLast(2));
        Assert.Contains("# Extra broker properties from the stack config", text);
        // Controllers don't get the brokers' extras.
        var controller = KafkaProperties.For(spec, topology, topology.Controllers.First(), "us-east-1a").Render();
        Assert.DoesNotContain("auto.create.topics.enable", controller);
    }

    [Fact]
    public void The_file_starts_with_a_generated_header_and_keeps_a_stable_key_order()
    {
        var spec = new ClusterSpec();
        var topology = Topology.Plan(spec);
        var text = KafkaProperties.For(spec, topology, topology.Brokers.First(), "us-east-1a").Render();
        var keys = text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split('=')[0]).ToList();

        Assert.StartsWith("# server.properties of kraft-broker-1 (node.id 101, broker)\n# Generated by kraft-infra.", text);
        Assert.Equal(
            ["process.roles", "node.id", "controller.quorum.voters", "listeners", "advertised.listeners",
             "controller.listener.names", "listener.security.protocol.map", "inter.broker.listener.name",
             "sasl.mechanism.controller.protocol", "listener.name.client.sasl.enabled.mechanisms", "sasl.mechanism.inter.broker.protocol",
             "ssl.keystore.type", "ssl.keystore.location", "ssl.truststore.type", "ssl.truststore.location",
             "authorizer.class.name", "super.users", "allow.everyone.if.no.acl.found",
             "log.dirs", "metadata.log.dir", "broker.rack", "default.replication.factor", "min.insync.replicas",
             "offsets.topic.replication.factor", "transaction.state.log.replication.factor", "transaction.state.log.min.isr",
             "share.coordinator.state.topic.replication.factor", "share.coordinator.state.topic.min.isr"],
            keys);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData(@"C:\path", @"C:\\path")]
    [InlineData("two\nlines", @"two\nlines")]
    [InlineData(" leading", @"\ leading")]
    [InlineData("inner space=ok:yes#", "inner space=ok:yes#")]
    [InlineData("café", @"caf\u00E9")]
    public void Values_are_escaped_only_where_java_properties_would_misread_them(string value, string escaped)
    {
        Assert.Equal(escaped, JavaProperties.EscapeValue(value));
    }

    [Theory]
    [InlineData("a=b", @"a\=b")]
    [InlineData("a:b", @"a\:b")]
    [InlineData("a b", @"a\ b")]
    [InlineData("#x", @"\#x")]
    public void Keys_escape_separators_white_space_and_a_leading_comment_mark(string key, string escaped)
    {
        Assert.Equal(escaped, JavaProperties.EscapeKey(key));
    }
}
