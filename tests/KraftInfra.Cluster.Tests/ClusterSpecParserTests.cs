namespace KraftInfra.Cluster.Tests;

public class ClusterSpecParserTests
{
    private static SpecResult Parse(params (string Key, string Value)[] settings) =>
        ClusterSpecParser.Parse(settings.ToDictionary(s => s.Key, s => s.Value));

    [Fact]
    public void No_settings_give_the_default_cluster_of_two_controllers_and_two_brokers()
    {
        var result = Parse();

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        Assert.Equal(2, result.Spec!.ControllerCount);
        Assert.Equal(2, result.Spec.BrokerCount);
        Assert.Equal("10.42.0.0/16", result.Spec.VpcCidr.ToString());
    }

    [Fact]
    public void Every_setting_given_as_text_is_read_into_the_spec()
    {
        var result = Parse(
            (Settings.ClusterName, "orders"),
            (Settings.ControllerCount, "3"),
            (Settings.BrokerCount, "5"),
            (Settings.KafkaVersion, "3.9.1"),
            (Settings.KafkaDownloadUrl, "https://mirror.example.org/kafka/"),
            (Settings.KafkaSha512, new string('A', 128)),
            (Settings.VpcCidr, "10.8.0.0/18"),
            (Settings.AvailabilityZoneCount, "3"),
            (Settings.Architecture, "arm64"),
            (Settings.BrokerInstanceType, "m7g.large"),
            (Settings.VolumeIops, "6000"),
            (Settings.KeepDataVolumesOnDestroy, "true"),
            (Settings.BrokerHeap, "4G"),
            (Settings.ClientCidrs, "[\"10.9.0.0/16\", \"192.168.1.0/24\"]"),
            (Settings.BrokerProperties, "{\"log.retention.hours\": \"168\", \"auto.create.topics.enable\": false, \"num.io.threads\": 16}"),
            (Settings.SshCidr, "203.0.113.7/32"),
            (Settings.SshPublicKey, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBv me@laptop"));

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        var spec = result.Spec!;
        Assert.Equal("orders", spec.ClusterName);
        Assert.Equal(3, spec.ControllerCount);
        Assert.Equal(5, spec.BrokerCount);
        Assert.Equal("3.9.1", spec.KafkaVersion.ToString());
        Assert.Equal("https://mirror.example.org/kafka", spec.KafkaDownloadUrl);
        Assert.Equal(new string('a', 128), spec.KafkaSha512);
        Assert.Equal("10.8.0.0/18", spec.VpcCidr.ToString());
        Assert.Equal("arm64", spec.Architecture);
        Assert.Equal("4g", spec.BrokerHeap);
        Assert.True(spec.KeepDataVolumesOnDestroy);
        Assert.Equal(["10.9.0.0/16", "192.168.1.0/24"], spec.ClientCidrs.Select(c => c.ToString()));
        Assert.Equal("168", spec.BrokerProperties["log.retention.hours"]);
        Assert.Equal("false", spec.BrokerProperties["auto.create.topics.enable"]);
        Assert.Equal("16", spec.BrokerProperties["num.io.threads"]);
        Assert.True(spec.SshEnabled);
    }

    public static TheoryData<string, string, string> BadValues => new()
    {
        { Settings.ClusterName, "Kafka_Prod", "lower-case letters" },
        { Settings.ClusterName, "a-very-long-cluster-name-indeed", "at most 24 characters" },
        { Settings.ControllerCount, "0", "from 1 to 9" },
        { Settings.ControllerCount, "two", "from 1 to 9" },
        { Settings.BrokerCount, "61", "from 1 to 60" },
        { Settings.KafkaVersion, "latest", "a release number such as" },
        { Settings.KafkaVersion, "3.6.2", "3.7.0 or newer" },
        { Settings.KafkaDownloadUrl, "http://downloads.apache.org/kafka", "an https:// URL" },
        { Settings.KafkaArchiveUrl, "https://example.org/it's", "an https:// URL" },
        { Settings.KafkaSha512, "abc123", "128 hexadecimal digits" },
        { Settings.JavaPackage, "openjdk 21", "an Ubuntu package name" },
        { Settings.JavaPackage, "openjdk-11-jre-headless", "Java 17 or newer" },
        { Settings.VpcCidr, "10.0.0.0/8", "from /16 to /22" },
        { Settings.VpcCidr, "10.0.0.1/16", "host bits set" },
        { Settings.VpcCidr, "bogus", "IPv4 CIDR block" },
        { Settings.AvailabilityZoneCount, "7", "from 1 to 6" },
        { Settings.Architecture, "amd64", "one of x86_64, arm64" },
        { Settings.ControllerInstanceType, "large", "an EC2 instance type" },
        { Settings.BrokerInstanceType, "T3.LARGE", "an EC2 instance type" },
        { Settings.ControllerVolumeSizeGiB, "0", "from 1 to 65536" },
        { Settings.BrokerVolumeSizeGiB, "70000", "from 1 to 65536" },
        { Settings.VolumeIops, "100", "from 3000 to 80000" },
        { Settings.VolumeIops, "90000", "from 3000 to 80000" },
        { Settings.VolumeThroughputMiBps, "100", "from 125 to 2000" },
        { Settings.VolumeThroughputMiBps, "2500", "from 125 to 2000" },
        { Settings.KeepDataVolumesOnDestroy, "yes", "true or false" },
        { Settings.ControllerHeap, "1.5g", "such as 512m or 2g" },
        { Settings.BrokerHeap, "4096", "such as 512m or 2g" },
        { Settings.ClientCidrs, "10.0.0.0/8", "a list of IPv4 CIDR blocks" },
        { Settings.ClientCidrs, "[\"0.0.0.0/0\"]", "narrower than 0.0.0.0/0" },
        { Settings.ClientCidrs, "[\"10.0.0.300/8\"]", "IPv4 CIDR block" },
        { Settings.ClientPort, "80", "from 1024 to 65535" },
        { Settings.ControllerPort, "70000", "from 1024 to 65535" },
        { Settings.ControllerWaitTimeoutSeconds, "5", "from 30 to 3600" },
        { Settings.BrokerProperties, "[1,2]", "an object of server.properties keys" },
        { Settings.BrokerProperties, "{\"bad key\": \"1\"}", "letters, digits" },
        { Settings.ControllerProperties, "{\"x\": {\"nested\": 1}}", "a text, number or boolean value" },
        { Settings.SshCidr, "0.0.0.0/0", "narrower than 0.0.0.0/0" },
        { Settings.SshPublicKey, "not a key", "OpenSSH public key" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_bad_value_is_refused_naming_the_key_the_value_and_what_is_accepted(string key, string value, string accepted)
    {
        var result = Parse((key, value));

        Assert.False(result.Ok);
        Assert.Null(result.Spec);
        var error = Assert.Single(result.Errors, e => e.StartsWith($"kraft-infra:{key}", StringComparison.Ordinal));
        Assert.Contains(accepted, error);
        if (key is not (Settings.BrokerProperties or Settings.ControllerProperties))
            Assert.Contains(value.Trim('[', ']', '"'), error);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var result = Parse(
            (Settings.ControllerCount, "0"),
            (Settings.BrokerCount, "-1"),
            (Settings.VpcCidr, "10.0.0.0/30"),
            (Settings.Architecture, "sparc"));

        Assert.Equal(4, result.Errors.Count);
        var message = Assert.Throws<ClusterSpecException>(() => result.GetSpecOrThrow()).Message;
        Assert.Contains("4 problems", message);
        foreach (var key in new[] { Settings.ControllerCount, Settings.BrokerCount, Settings.VpcCidr, Settings.Architecture })
            Assert.Contains($"kraft-infra:{key}", message);
    }

    [Theory]
    [InlineData("node.id")]
    [InlineData("process.roles")]
    [InlineData("controller.quorum.voters")]
    [InlineData("controller.quorum.bootstrap.servers")]
    [InlineData("listeners")]
    [InlineData("advertised.listeners")]
    [InlineData("controller.listener.names")]
    [InlineData("listener.security.protocol.map")]
    [InlineData("inter.broker.listener.name")]
    [InlineData("log.dirs")]
    [InlineData("metadata.log.dir")]
    public void Extra_properties_may_not_set_identity_quorum_listener_or_storage_keys(string key)
    {
        var result = Parse((Settings.BrokerProperties, $"{{\"{key}\": \"x\", \"log.retention.hours\": \"1\"}}"));

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("kraft-infra:brokerProperties", error);
        Assert.Contains($"\"{key}\"", error);
        Assert.Contains("sets it from the topology", error);
    }

    [Fact]
    public void The_same_port_for_clients_and_controllers_is_refused()
    {
        var result = Parse((Settings.ClientPort, "9500"), (Settings.ControllerPort, "9500"));

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("kraft-infra:controllerPort", error);
        Assert.Contains("client port", error);
    }

    [Theory]
    [InlineData(Settings.SshCidr, "198.51.100.0/24", Settings.SshPublicKey)]
    [InlineData(Settings.SshPublicKey, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 me", Settings.SshCidr)]
    public void Half_an_ssh_configuration_is_refused_naming_the_missing_key(string given, string value, string missing)
    {
        var result = Parse((given, value));

        var error = Assert.Single(result.Errors);
        Assert.StartsWith($"kraft-infra:{missing}", error);
        Assert.Contains($"kraft-infra:{given} is set", error);
    }

    [Fact]
    public void More_brokers_than_the_zone_subnets_hold_are_refused()
    {
        // A /22 VPC gives /26 subnets: offsets 30..62 hold 33 brokers per zone.
        var result = Parse((Settings.VpcCidr, "10.0.0.0/22"), (Settings.AvailabilityZoneCount, "1"), (Settings.BrokerCount, "34"));

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("kraft-infra:brokerCount", error);
        Assert.Contains("at most 33 brokers", error);
        Assert.True(Parse((Settings.VpcCidr, "10.0.0.0/22"), (Settings.AvailabilityZoneCount, "1"), (Settings.BrokerCount, "33")).Ok);
    }

    [Fact]
    public void An_unknown_key_is_refused_with_the_nearest_known_key()
    {
        var result = Parse(("brokerCont", "3"));

        var error = Assert.Single(result.Errors);
        Assert.Contains("kraft-infra:brokerCont: unknown setting; did you mean kraft-infra:brokerCount?", error);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(4, 1)]
    public void Too_few_or_an_even_number_of_controllers_warns_how_many_failures_the_quorum_tolerates(int controllers, int tolerated)
    {
        var result = Parse((Settings.ControllerCount, controllers.ToString()));

        Assert.True(result.Ok);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains($"kraft-infra:controllerCount = {controllers}", warning);
        Assert.Contains($"tolerates {tolerated} controller failure", warning);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void An_odd_quorum_of_three_or_more_gives_no_warning(int controllers)
    {
        var result = Parse((Settings.ControllerCount, controllers.ToString()));

        Assert.True(result.Ok);
        Assert.Empty(result.Warnings);
        Assert.Equal((controllers - 1) / 2, result.Spec!.ControllerFailuresTolerated);
    }

    [Fact]
    public void Every_setting_has_a_description_and_a_default_of_its_declared_type()
    {
        Assert.Equal(Settings.All.Count, Settings.All.Select(s => s.Key).Distinct().Count());
        foreach (var s in Settings.All)
        {
            Assert.False(string.IsNullOrWhiteSpace(s.Description), s.Key);
            var ok = s.Type switch
            {
                SettingType.String => s.Default is string,
                SettingType.Integer => s.Default is int,
                SettingType.Boolean => s.Default is bool,
                SettingType.Array => s.Default is System.Collections.IList,
                SettingType.Object => s.Default is IReadOnlyDictionary<string, string>,
                _ => false,
            };
            Assert.True(ok, $"{s.Key}: default {s.Default} is not a {s.Type}");
        }
    }

    [Fact]
    public void Each_default_read_back_as_text_gives_the_default_spec()
    {
        // Pulumi hands the program the Pulumi.yaml defaults as text: they must mean the same cluster.
        var asText = Settings.All.ToDictionary(s => s.Key, s => s.Default switch
        {
            bool b => b ? "true" : "false",
            System.Collections.IList list => System.Text.Json.JsonSerializer.Serialize(list),
            IReadOnlyDictionary<string, string> map => System.Text.Json.JsonSerializer.Serialize(map),
            var v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!,
        });

        var result = ClusterSpecParser.Parse(asText);

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        var d = new ClusterSpec();
        Assert.Equal(d.KafkaVersion, result.Spec!.KafkaVersion);
        Assert.Equal(d.VpcCidr, result.Spec.VpcCidr);
        Assert.Equal(Topology.Plan(d), Topology.Plan(result.Spec), new TopologyComparer());
    }

    private sealed class TopologyComparer : IEqualityComparer<ClusterTopology>
    {
        public bool Equals(ClusterTopology? x, ClusterTopology? y) =>
            x!.QuorumVoters == y!.QuorumVoters && x.Nodes.SequenceEqual(y.Nodes) && x.Zones.SequenceEqual(y.Zones);

        public int GetHashCode(ClusterTopology obj) => obj.QuorumVoters.GetHashCode();
    }
}

public class UserDataBudgetTests
{
    [Fact]
    public void Extra_properties_too_large_for_ec2s_user_data_are_refused_before_anything_is_made()
    {
        // Random text does not compress: 20 KB of it can't fit 16 KB, gzipped or not.
        var random = new Random(7);
        var noise = new string(Enumerable.Range(0, 20_000).Select(_ => (char)random.Next('a', 'z' + 1)).ToArray());
        var result = ClusterSpecParser.Parse(new Dictionary<string, string>
        {
            [Settings.BrokerProperties] = $"{{\"x.noise\": \"{noise}\"}}",
        });

        Assert.False(result.Ok);
        var error = Assert.Single(result.Errors, e => e.Contains("kraft-broker-1"));
        Assert.StartsWith("kraft-infra:brokerProperties: node kraft-broker-1 would not fit EC2's user data", error);
    }

    [Fact]
    public void A_three_by_three_cluster_with_topics_and_extras_fits()
    {
        var result = ClusterSpecParser.Parse(new Dictionary<string, string>
        {
            [Settings.ControllerCount] = "3",
            [Settings.BrokerCount] = "9",
            [Settings.AvailabilityZoneCount] = "3",
            [Settings.BrokerProperties] = "{\"log.retention.hours\": \"168\", \"num.io.threads\": \"16\", \"auto.create.topics.enable\": \"false\"}",
        });

        Assert.True(result.Ok, string.Join("\n", result.Errors));
    }
}
