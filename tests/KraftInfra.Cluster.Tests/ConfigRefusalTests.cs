namespace KraftInfra.Cluster.Tests;

/// <summary>
/// Values the parser used to accept that AWS or Kafka would refuse only after resources exist:
/// gp3 limits and ratios, Kafka's config types, and replication settings the topology can't meet.
/// </summary>
public class ConfigRefusalTests
{
    private static SpecResult Parse(params (string Key, string Value)[] settings) =>
        ClusterSpecParser.Parse(settings.ToDictionary(s => s.Key, s => s.Value));

    private static string SingleError(SpecResult result, string keyPrefix)
    {
        Assert.False(result.Ok);
        return Assert.Single(result.Errors, e => e.StartsWith($"kraft-infra:{keyPrefix}", StringComparison.Ordinal));
    }

    // ---- gp3 ----

    [Fact]
    public void Iops_above_500_per_GiB_of_a_roles_volume_is_refused_naming_that_volume()
    {
        // The controllers' 20 GiB allow 10,000 IOPS; the brokers' 100 GiB allow 50,000.
        var error = SingleError(Parse((Settings.VolumeIops, "12000")), Settings.VolumeIops);

        Assert.Contains("\"12000\"", error);
        Assert.Contains("at most 10000 IOPS for the 20 GiB volume of kraft-infra:controllerVolumeSizeGiB", error);
        Assert.Contains("at least 24 GiB", error);
        Assert.True(Parse((Settings.VolumeIops, "12000"), (Settings.ControllerVolumeSizeGiB, "24")).Ok);
    }

    [Fact]
    public void Iops_too_high_for_both_roles_reports_both_volumes_at_once()
    {
        var result = Parse((Settings.VolumeIops, "60000"));

        Assert.Equal(2, result.Errors.Count);
        Assert.Contains(result.Errors, e => e.Contains("kraft-infra:controllerVolumeSizeGiB"));
        Assert.Contains(result.Errors, e => e.Contains("at most 50000 IOPS for the 100 GiB volume of kraft-infra:brokerVolumeSizeGiB"));
    }

    [Theory]
    [InlineData(3000, 750, true)]
    [InlineData(3000, 751, false)]
    [InlineData(4000, 1000, true)]
    [InlineData(8000, 2000, true)]
    [InlineData(7996, 2000, false)]
    public void Throughput_is_limited_to_a_quarter_MiB_per_provisioned_IOPS(int iops, int throughput, bool accepted)
    {
        var result = Parse((Settings.VolumeIops, iops.ToString()), (Settings.VolumeThroughputMiBps, throughput.ToString()),
            (Settings.ControllerVolumeSizeGiB, "100"));

        Assert.Equal(accepted, result.Ok);
        if (!accepted)
        {
            var error = SingleError(result, Settings.VolumeThroughputMiBps);
            Assert.Contains($"at most {iops / 4} MiB/s with kraft-infra:volumeIops = {iops}", error);
            Assert.Contains($"raise the IOPS to at least {throughput * 4}", error);
        }
    }

    [Fact]
    public void The_largest_gp3_volume_may_carry_the_most_iops_and_throughput()
    {
        Assert.True(Parse((Settings.VolumeIops, "80000"), (Settings.VolumeThroughputMiBps, "2000"),
            (Settings.ControllerVolumeSizeGiB, "160"), (Settings.BrokerVolumeSizeGiB, "65536")).Ok);
    }

    // ---- Kafka config types ----

    public static TheoryData<string, string, string> Normalised => new()
    {
        { "cleanup.policy", "compact, delete", "compact,delete" },
        { "cleanup.policy", " delete ", "delete" },
        { "min.cleanable.dirty.ratio", "0.50", "0.5" },
        { "min.cleanable.dirty.ratio", "1", "1.0" },
        { "min.cleanable.dirty.ratio", ".0001", "1.0E-4" },
        { "retention.ms", "0604800000", "604800000" },
        { "retention.ms", "+1000", "1000" },
        { "retention.ms", "-1", "-1" },
        { "unclean.leader.election.enable", "TRUE", "true" },
        { "compression.gzip.level", "-1", "-1" },
        { "message.timestamp.type", "LogAppendTime", "LogAppendTime" },
        { "leader.replication.throttled.replicas", "0:1, 1:2", "0:1,1:2" },
        { "leader.replication.throttled.replicas", "*", "*" },
    };

    [Theory]
    [MemberData(nameof(Normalised))]
    public void A_topic_config_value_is_kept_the_way_Kafka_prints_it_back(string key, string declared, string printed)
    {
        var result = Parse((Settings.Topics, $$$"""[{"name": "t", "config": {"{{{key}}}": "{{{declared}}}"}}]"""));

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        Assert.Equal(printed, result.Spec!.Topics.Single().Config[key]);
    }

    public static TheoryData<string, string, string> RefusedTopicValues => new()
    {
        { "retention.ms", "7d", "a 64-bit whole number of at least -1" },
        { "retention.ms", "-2", "of at least -1" },
        { "cleanup.policy", "compacted", "\"compacted\" is not one" },
        { "min.cleanable.dirty.ratio", "1.5", "a decimal number from 0 to 1" },
        { "min.cleanable.dirty.ratio", "NaN", "a decimal number" },
        { "max.message.bytes", "9999999999", "a 32-bit whole number" },
        { "compression.type", "brotli", "one of uncompressed, zstd, lz4, snappy, gzip, producer" },
        { "compression.gzip.level", "0", "from 1 to 9 or -1" },
        { "preallocate", "yes", "true or false" },
        { "segment.bytes", "1000", "of at least 1048576" },
        { "follower.replication.throttled.replicas", "all", "the literal *" },
    };

    [Theory]
    [MemberData(nameof(RefusedTopicValues))]
    public void A_topic_config_value_Kafka_would_refuse_is_refused_naming_the_topic_and_key(string key, string value, string expected)
    {
        var error = SingleError(Parse((Settings.Topics, $$$"""[{"name": "t", "config": {"{{{key}}}": "{{{value}}}"}}]""")), $"topics[0].config.{key}");

        Assert.Contains(expected, error);
        Assert.Contains(value, error);
    }

    [Fact]
    public void A_topic_key_of_newer_releases_is_refused_on_an_older_one_naming_the_releases()
    {
        const string topics = """[{"name": "t", "config": {"compression.zstd.level": "5"}}]""";

        var error = SingleError(Parse((Settings.Topics, topics), (Settings.KafkaVersion, "3.7.2")), "topics[0].config");

        Assert.Contains("Kafka 3.8.0 and newer, not of Kafka 3.7.2", error);
        Assert.True(Parse((Settings.Topics, topics), (Settings.KafkaVersion, "3.8.1")).Ok);
    }

    [Fact]
    public void A_rule_that_changed_between_releases_is_checked_as_the_chosen_release_checks_it()
    {
        const string topics = """[{"name": "t", "config": {"segment.bytes": "1000"}}]""";

        Assert.True(Parse((Settings.Topics, topics), (Settings.KafkaVersion, "4.0.1")).Ok);
        Assert.False(Parse((Settings.Topics, topics), (Settings.KafkaVersion, "4.1.0")).Ok);
    }

    [Theory]
    [InlineData(Settings.BrokerProperties, "num.partitions", "six", "a 32-bit whole number of at least 1")]
    [InlineData(Settings.BrokerProperties, "auto.create.topics.enable", "no", "true or false")]
    [InlineData(Settings.BrokerProperties, "log.cleanup.policy", "compact,remove", "\"remove\" is not one")]
    [InlineData(Settings.ControllerProperties, "log.segment.bytes", "1024", "of at least 1048576")]
    [InlineData(Settings.BrokerProperties, "offsets.topic.replication.factor", "40000", "a 16-bit whole number")]
    public void An_extra_property_of_the_wrong_type_is_refused(string setting, string key, string value, string expected)
    {
        var error = SingleError(Parse((setting, $$"""{"{{key}}": "{{value}}"}""")), setting);

        Assert.Contains($"\"{key}={value}\"", error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void An_extra_property_Kafka_does_not_type_here_passes_as_written()
    {
        var result = Parse((Settings.BrokerProperties, """{"num.io.threads": "16", "some.plugin.setting": "x y"}"""));

        Assert.True(result.Ok, string.Join("\n", result.Errors));
    }

    // ---- Replication against the topology ----

    [Theory]
    [InlineData("default.replication.factor")]
    [InlineData("offsets.topic.replication.factor")]
    [InlineData("transaction.state.log.replication.factor")]
    [InlineData("share.coordinator.state.topic.replication.factor")]
    public void A_replication_factor_above_the_broker_count_is_refused(string key)
    {
        var error = SingleError(Parse((Settings.BrokerProperties, $$"""{"{{key}}": "3"}""")), Settings.BrokerProperties);

        Assert.Contains($"\"{key}=3\"", error);
        Assert.Contains("at most 2 (kraft-infra:brokerCount = 2)", error);
        Assert.True(Parse((Settings.BrokerProperties, $$"""{"{{key}}": "3"}"""), (Settings.BrokerCount, "3")).Ok);
    }

    [Fact]
    public void A_min_insync_replicas_above_the_derived_replication_factor_is_refused_once()
    {
        var error = SingleError(Parse((Settings.BrokerProperties, """{"min.insync.replicas": "3"}""")), Settings.BrokerProperties);

        Assert.Contains("min.insync.replicas (3) no higher than default.replication.factor (2, derived from kraft-infra:brokerCount = 2)", error);
        Assert.Contains("NOT_ENOUGH_REPLICAS", error);
    }

    [Fact]
    public void A_min_insync_replicas_above_the_offsets_topics_replication_factor_is_refused()
    {
        var error = SingleError(Parse((Settings.BrokerCount, "3"),
            (Settings.BrokerProperties, """{"offsets.topic.replication.factor": "2", "min.insync.replicas": "3"}""")), Settings.BrokerProperties);

        Assert.Contains("min.insync.replicas (3) no higher than offsets.topic.replication.factor (2)", error);
    }

    [Fact]
    public void A_transaction_log_min_isr_above_its_replication_factor_is_refused()
    {
        var error = SingleError(Parse((Settings.BrokerCount, "3"),
            (Settings.BrokerProperties, """{"transaction.state.log.replication.factor": "1"}""")), Settings.BrokerProperties);

        Assert.Contains("transaction.state.log.min.isr (2) no higher than transaction.state.log.replication.factor (1)", error);
    }

    [Fact]
    public void A_topic_with_fewer_replicas_than_the_brokers_min_insync_replicas_is_refused_with_the_fix()
    {
        // Three brokers derive min.insync.replicas = 2; a one-replica topic could never take an acks=all write.
        var result = Parse((Settings.BrokerCount, "3"), (Settings.Topics, """[{"name": "ok"}, {"name": "scratch", "replicationFactor": 1}]"""));

        var error = SingleError(result, "topics[1]");
        Assert.Contains("topic \"scratch\" with replicationFactor 1", error);
        Assert.Contains("the brokers' min.insync.replicas = 2", error);
        Assert.Contains("\"min.insync.replicas\": \"1\"", error);
        Assert.True(Parse((Settings.BrokerCount, "3"),
            (Settings.Topics, """[{"name": "scratch", "replicationFactor": 1, "config": {"min.insync.replicas": "1"}}]""")).Ok);
    }

    [Fact]
    public void A_topics_own_min_insync_replicas_above_its_replication_factor_is_refused()
    {
        var error = SingleError(Parse((Settings.Topics, """[{"name": "t", "replicationFactor": 2, "config": {"min.insync.replicas": "3"}}]""")), "topics[0]");

        Assert.Contains("its config min.insync.replicas = 3", error);
    }

    [Fact]
    public void From_kafka_4_1_a_controller_min_insync_replicas_other_than_the_brokers_is_refused()
    {
        var error = SingleError(Parse((Settings.ControllerProperties, """{"min.insync.replicas": "2"}""")), Settings.ControllerProperties);

        Assert.Contains("the brokers' value (1)", error);
        Assert.Contains("KIP-966", error);
        Assert.True(Parse((Settings.ControllerProperties, """{"min.insync.replicas": "1"}""")).Ok);
        Assert.True(Parse((Settings.ControllerProperties, """{"min.insync.replicas": "2"}"""), (Settings.KafkaVersion, "4.0.1")).Ok);
    }

    // ---- Java's Double.toString ----

    [Theory]
    [InlineData(0.0, "0.0")]
    [InlineData(0.5, "0.5")]
    [InlineData(1.0, "1.0")]
    [InlineData(0.001, "0.001")]
    [InlineData(0.0001, "1.0E-4")]
    [InlineData(0.00012345, "1.2345E-4")]
    [InlineData(123.0, "123.0")]
    [InlineData(1234567.0, "1234567.0")]
    [InlineData(10000000.0, "1.0E7")]
    [InlineData(0.1, "0.1")]
    [InlineData(0.3333333333333333, "0.3333333333333333")]
    public void Doubles_print_as_Java_prints_them(double value, string java)
    {
        Assert.Equal(java, JavaDouble.ToString(value));
    }
}
