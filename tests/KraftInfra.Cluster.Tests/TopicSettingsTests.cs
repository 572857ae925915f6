using System.Text;
using System.Text.Json;

namespace KraftInfra.Cluster.Tests;

public class TopicSettingsTests
{
    private static SpecResult Parse(string topicsJson, int brokers = 3) => ClusterSpecParser.Parse(new Dictionary<string, string>
    {
        [Settings.Topics] = topicsJson,
        [Settings.BrokerCount] = brokers.ToString(),
    });

    [Fact]
    public void Topics_are_read_with_defaults_for_what_they_leave_out()
    {
        var result = Parse("""
            [{"name": "orders", "partitions": 6, "replicationFactor": 2, "config": {"retention.ms": 604800000, "cleanup.policy": "compact,delete"}},
             {"name": "audit"}]
            """);

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        var (orders, audit) = (result.Spec!.Topics[0], result.Spec.Topics[1]);
        Assert.Equal(("orders", 6, 2), (orders.Name, orders.Partitions, orders.ReplicationFactor));
        Assert.Equal("604800000", orders.Config["retention.ms"]);
        Assert.Equal("compact,delete", orders.Config["cleanup.policy"]);
        Assert.Equal(("audit", 1, 3), (audit.Name, audit.Partitions, audit.ReplicationFactor));
        Assert.Empty(audit.Config);
    }

    [Fact]
    public void The_default_replication_factor_never_exceeds_the_brokers()
    {
        var result = Parse("""[{"name": "t"}]""", brokers: 2);

        Assert.Equal(2, result.Spec!.Topics.Single().ReplicationFactor);
    }

    public static TheoryData<string, string, string> BadTopics => new()
    {
        { """[{"name": ".."}]""", "topics[0].name", "not \".\" or \"..\"" },
        { """[{"name": "."}]""", "topics[0].name", "not \".\" or \"..\"" },
        { """[{"name": "bad name"}]""", "topics[0].name", "ASCII letters, digits" },
        { "[{\"name\": \"" + new string('a', 250) + "\"}]", "topics[0].name", "1 to 249" },
        { """[{"name": ""}]""", "topics[0].name", "1 to 249" },
        { """[{"name": "__consumer_offsets"}]""", "topics[0].name", "internal topics" },
        { """[{"name": "a"}, {"name": "a"}]""", "topics[1].name", "declared twice" },
        { """[{"name": "a.b"}, {"name": "a_b"}]""", "topics[1].name", "collides with \"a.b\"" },
        { """[{"name": "t", "partitions": 0}]""", "topics[0].partitions", "from 1 to" },
        { """[{"name": "t", "partitions": "many"}]""", "topics[0].partitions", "from 1 to" },
        { """[{"name": "t", "replicationFactor": 4}]""", "topics[0].replicationFactor", "from 1 to 3 (the cluster has 3 brokers" },
        { """[{"name": "t", "config": {"log.retention.hours": "1"}}]""", "topics[0].config", "is not a topic-level config key" },
        { """[{"name": "t", "config": {"retention.ms": "1\n2"}}]""", "topics[0].config.retention.ms", "on one line" },
        { """[{"name": "t", "replicas": 2}]""", "topics[0]", "unknown field \"replicas\"" },
        { """[{"partitions": 2}]""", "topics[0]", "has no name" },
        { """{"name": "t"}""", "topics", "a list of {name, partitions" },
        { """["orders"]""", "topics[0]", "a list of {name, partitions" },
    };

    [Theory]
    [MemberData(nameof(BadTopics))]
    public void A_bad_topic_is_refused_naming_the_key_path(string json, string keyPath, string accepted)
    {
        var result = Parse(json);

        Assert.False(result.Ok);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith($"kraft-infra:{keyPath}", error);
        Assert.Contains(accepted, error);
    }

    [Fact]
    public void Every_bad_topic_is_reported_at_once_with_the_other_settings()
    {
        var result = ClusterSpecParser.Parse(new Dictionary<string, string>
        {
            [Settings.Topics] = """[{"name": ".."}, {"name": "ok", "partitions": -1}, {"name": "x", "config": {"nope": "1"}}]""",
            [Settings.ControllerCount] = "0",
        });

        Assert.Equal(4, result.Errors.Count);
    }

    [Fact]
    public void Topics_without_waiting_for_readiness_give_a_warning_that_they_are_not_applied()
    {
        var result = ClusterSpecParser.Parse(new Dictionary<string, string>
        {
            [Settings.Topics] = """[{"name": "orders"}]""",
            [Settings.WaitForReady] = "false",
        });

        Assert.True(result.Ok);
        Assert.Contains(result.Warnings, w => w.StartsWith("kraft-infra:topics: 1 topic(s) declared but kraft-infra:waitForReady is false"));
    }

    [Fact]
    public void The_payload_for_the_node_is_base64_json_with_every_field_explicit()
    {
        var topics = Parse("""[{"name": "orders", "partitions": 6, "config": {"retention.ms": "1", "cleanup.policy": "delete"}}, {"name": "b"}]""").Spec!.Topics;

        var payload = TopicSpec.EncodePayload(topics);

        Assert.Matches("^[A-Za-z0-9+/=]+$", payload);
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(payload));
        Assert.Equal(
            """[{"config":{"cleanup.policy":"delete","retention.ms":"1"},"name":"orders","partitions":6,"replicationFactor":3},{"config":{},"name":"b","partitions":1,"replicationFactor":3}]""",
            json);
        Assert.Equal(payload, TopicSpec.EncodePayload(topics));
    }

    [Fact]
    public void The_dev_stack_declares_two_topics()
    {
        var stack = (System.Text.Json.Nodes.JsonObject)RepoFiles.ToJson(RepoFiles.LoadYaml("Pulumi.dev.yaml"))!["config"]!;
        var result = ClusterSpecParser.Parse(new Dictionary<string, string> { [Settings.Topics] = stack["kraft-infra:topics"]!.ToJsonString() });

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        Assert.Equal(["orders", "orders.dead-letter"], result.Spec!.Topics.Select(t => t.Name));
    }
}
