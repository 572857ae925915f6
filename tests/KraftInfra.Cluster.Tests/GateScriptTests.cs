namespace KraftInfra.Cluster.Tests;

/// <summary>
/// kafka-gate.sh run for real with bash against stand-in Kafka tools (the release's output
/// layouts, <see cref="KafkaRelease"/>) and a stand-in systemctl. Every test runs once per
/// release line (the classes at the end).
/// </summary>
public abstract class GateScriptTests : IDisposable
{
    private const string Voters = "1@10.42.0.10:9093,2@10.42.16.10:9093,3@10.42.32.10:9093";

    private readonly ExternalTool.TempDir _dir = new();

    protected KafkaRelease Release { get; }

    protected GateScriptTests(KafkaRelease release)
    {
        Release = release;
        ExternalTool.Require("bash", "bash");
        _dir.Write("gate.sh", TemplateLibrary.Read(TemplateLibrary.GateScript));
        _dir.Write(TemplateLibrary.ToolsLibrary, TemplateLibrary.Read(TemplateLibrary.ToolsLibrary));
        foreach (var tool in new[] { "kafka-metadata-quorum.sh", "kafka-broker-api-versions.sh", "kafka-topics.sh" })
            StandIn(tool);
        _dir.Write("bin/systemctl", $$"""
            #!/bin/bash
            state=active
            [ -f "{{_dir.Combine("answers/systemctl")}}" ] && state=$(cat "{{_dir.Combine("answers/systemctl")}}")
            echo "$state"
            [ "$state" = active ]
            """, executable: true);
        Healthy();
    }

    /// <summary>Answers with answers/NAME.out (empty when absent), or fails with answers/NAME.err.</summary>
    private void StandIn(string tool) => _dir.Write($"kafka/bin/{tool}", $$"""
        #!/bin/bash
        printf '%s\n' "{{tool}} $*" >> "{{_dir.Combine("calls.log")}}"
        prev=""; for a in "$@"; do [ "$prev" = --command-config ] && { echo "== {{tool}}"; cat "$a"; } >> "{{_dir.Combine("configs.log")}}"; prev=$a; done
        case "$*" in
          *"describe --status"*) answer=quorum-status ;;
          *"describe --replication"*) answer=quorum-replication ;;
          *--under-replicated-partitions*) answer=under-replicated ;;
          *--under-min-isr-partitions*) answer=under-min-isr ;;
          *--unavailable-partitions*) answer=unavailable ;;
          *) answer=broker-api-versions ;;
        esac
        if [ -f "{{_dir.Combine("answers")}}/$answer.err" ]; then
          cat "{{_dir.Combine("answers")}}/$answer.err" >&2
          exit 1
        fi
        cat "{{_dir.Combine("answers")}}/$answer.out" 2>/dev/null || true
        """, executable: true);

    private void Answer(string name, string text) => _dir.Write($"answers/{name}.out", text);

    private void Fail(string name, string stderr) => _dir.Write($"answers/{name}.err", stderr);

    private void Node(string role, int id, string listener) => _dir.Write("server.properties", $"""
        process.roles={role}
        node.id={id}
        controller.quorum.voters={Voters}
        listeners={listener}

        """);

    private static KafkaRelease.Replica[] Quorum(long follower2Lag = 0, long follower2Behind = 10, string follower2Status = "Follower") =>
    [
        new(1, 0, 1785400000500, "Leader"),
        new(2, follower2Lag, 1785400000500 - follower2Behind, follower2Status),
        new(3, 0, 1785400000490, "Follower"),
        new(101, 0, 1785400000400, "Observer", "Ry5QyoVuQsqFpSpbRUYqhg"),
    ];

    private void Healthy()
    {
        Answer("quorum-status", Release.QuorumStatus(1, [(1, "10.42.0.10:9093"), (2, "10.42.16.10:9093"), (3, "10.42.32.10:9093")], [(101, "Ry5QyoVuQsqFpSpbRUYqhg")]));
        Answer("quorum-replication", Release.QuorumReplication(Quorum()));
        Answer("broker-api-versions", Release.Broker(101, "10.42.0.30") + Release.Broker(102, "10.42.16.30"));
    }

    private ExternalTool.Result Gate(string check) => ExternalTool.Run("bash", [_dir.Combine("gate.sh"), check],
        environment: new Dictionary<string, string>
        {
            ["KAFKA_HOME"] = _dir.Combine("kafka"),
            ["KRAFT_KAFKA_CONFIG"] = _dir.Combine("server.properties"),
            ["KRAFT_SECRETS_DIR"] = _dir.Combine("secrets"),
            ["PATH"] = _dir.Combine("bin") + ":" + Environment.GetEnvironmentVariable("PATH"),
        });

    /// <summary>A scram-tls node: SASL_SSL listeners and the admin's tool configs secure-node.sh wrote.</summary>
    private void SaslSsl()
    {
        File.AppendAllText(_dir.Combine("server.properties"), "listener.security.protocol.map=CONTROLLER:SASL_SSL,CLIENT:SASL_SSL\n");
        _dir.Write("secrets/admin-client.properties", "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=scram-admin-secret\n");
        _dir.Write("secrets/admin-controller.properties", "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=plain-admin-secret\n");
    }

    /// <summary>Each tool call's --command-config content, in call order, as "tool: content".</summary>
    private List<(string Tool, string Config)> Configs() => File.ReadAllText(_dir.Combine("configs.log"))
        .Split("== ", StringSplitOptions.RemoveEmptyEntries)
        .Select(b => (b[..b.IndexOf('\n')], b[(b.IndexOf('\n') + 1)..]))
        .ToList();

    private static string OneLine(ExternalTool.Result result)
    {
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected exactly one line on stdout, got:\n{result.Output}");
        return lines[0];
    }

    // ---- controllers ----

    [Fact]
    public void A_caught_up_follower_is_healthy()
    {
        Node("controller", 2, "CONTROLLER://10.42.16.10:9093");

        var result = Gate("controller:2");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal("healthy: controller 2 follows leader 1, 0 records and 10 ms behind", OneLine(result));
    }

    [Fact]
    public void The_leader_is_healthy()
    {
        Node("controller", 1, "CONTROLLER://10.42.0.10:9093");

        var result = Gate("controller:1");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal("healthy: controller 1 leads the quorum", OneLine(result));
    }

    [Fact]
    public void A_follower_that_last_caught_up_longer_ago_than_the_fetch_timeout_is_not_healthy()
    {
        Node("controller", 2, "CONTROLLER://10.42.16.10:9093");
        Answer("quorum-replication", Release.QuorumReplication(Quorum(follower2Behind: 2500)));

        var result = Gate("controller:2");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("not healthy: controller 2 last caught up 2500 ms before leader 1 (at most controller.quorum.fetch.timeout.ms = 2000)", OneLine(result));
    }

    [Fact]
    public void A_lagging_follower_is_not_healthy()
    {
        Node("controller", 2, "CONTROLLER://10.42.16.10:9093");
        Answer("quorum-replication", Release.QuorumReplication(Quorum(follower2Lag: 5000)));

        var result = Gate("controller:2");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("not healthy: controller 2 lags leader 1 by 5000 records (at most 100 allowed)", OneLine(result));
    }

    [Fact]
    public void A_controller_whose_kafka_is_not_running_is_not_healthy()
    {
        Node("controller", 2, "CONTROLLER://10.42.16.10:9093");
        _dir.Write("answers/systemctl", "activating");

        var result = Gate("controller:2");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("not healthy: kafka.service is activating, not active", OneLine(result));
    }

    [Fact]
    public void Without_a_quorum_leader_the_tools_failure_is_the_reason()
    {
        Node("controller", 2, "CONTROLLER://10.42.16.10:9093");
        Fail("quorum-replication", KafkaRelease.QuorumTimeout);

        var result = Gate("controller:2");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("not healthy: no quorum leader: kafka-metadata-quorum.sh failed: "
                     + "org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeMetadataQuorum", OneLine(result));
    }

    // ---- brokers ----

    [Fact]
    public void A_registered_broker_with_every_partition_replicated_is_healthy()
    {
        Node("broker", 101, "CLIENT://10.42.0.30:9092");

        var result = Gate("broker:101");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal("healthy: broker 101 registered, every partition fully replicated and led", OneLine(result));
    }

    [Fact]
    public void Under_replicated_partitions_are_named()
    {
        Node("broker", 101, "CLIENT://10.42.0.30:9092");
        Answer("under-replicated",
            Release.PartitionLine("orders", 0, "102", "101,102", "102") + Release.PartitionLine("orders", 3, "102", "102,101", "102"));

        var result = Gate("broker:101");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("not healthy: under-replicated partitions: orders-0, orders-3", OneLine(result));
    }

    [Fact]
    public void A_fenced_broker_absent_from_the_metadata_is_not_registered()
    {
        Node("broker", 101, "CLIENT://10.42.0.30:9092");
        Answer("broker-api-versions", Release.Broker(102, "10.42.16.30"));
        Answer("unavailable", Release.PartitionLine("clicks", 1, "none", "101", ""));

        var result = Gate("broker:101");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("not healthy: broker 101 is not registered (or still fenced); unavailable partitions: clicks-1", OneLine(result));
    }

    [Fact]
    public void It_asks_through_the_brokers_own_listener_with_the_admin_config()
    {
        Node("broker", 101, "CLIENT://10.42.0.30:9092");

        Gate("broker:101");

        var calls = File.ReadAllLines(_dir.Combine("calls.log"));
        Assert.Contains(calls, c => c.StartsWith("kafka-broker-api-versions.sh --bootstrap-server 10.42.0.30:9092 --command-config ", StringComparison.Ordinal)
                                    && c.EndsWith("/admin.properties", StringComparison.Ordinal));
        foreach (var flag in new[] { "--under-replicated-partitions", "--under-min-isr-partitions", "--unavailable-partitions" })
            Assert.Contains(calls, c => c.StartsWith("kafka-topics.sh --bootstrap-server 10.42.0.30:9092 --command-config ", StringComparison.Ordinal) && c.EndsWith($" --describe {flag}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("broker", 101, "CLIENT://10.42.0.30:9092", "broker:101")]
    [InlineData("controller", 2, "CONTROLLER://10.42.16.10:9093", "controller:2")]
    [InlineData("broker", 101, "CLIENT://10.42.0.30:9092", "preflight")]
    public void With_sasl_ssl_listeners_every_tool_authenticates_as_the_admin_from_the_boots_files(string role, int id, string listener, string check)
    {
        Node(role, id, listener);
        SaslSsl();

        var result = Gate(check);

        Assert.True(result.ExitCode == 0, result.Output);
        var configs = Configs();
        Assert.NotEmpty(configs);
        foreach (var (tool, config) in configs)
        {
            Assert.StartsWith("default.api.timeout.ms=", config);
            // --bootstrap-controller (the quorum tool) gets PLAIN, --bootstrap-server SCRAM.
            Assert.Contains(tool == "kafka-metadata-quorum.sh" ? "sasl.jaas.config=plain-admin-secret" : "sasl.jaas.config=scram-admin-secret", config);
        }
        Assert.DoesNotContain(File.ReadAllLines(_dir.Combine("calls.log")), c => c.Contains("secret"));
    }

    [Fact]
    public void With_sasl_ssl_listeners_but_no_admin_files_the_gate_stops_naming_the_file_and_asks_nothing()
    {
        Node("broker", 101, "CLIENT://10.42.0.30:9092");
        File.AppendAllText(_dir.Combine("server.properties"), "listener.security.protocol.map=CONTROLLER:SASL_SSL,CLIENT:SASL_SSL\n");

        var result = Gate("broker:101");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{_dir.Combine("secrets")}/admin-client.properties is missing: the listeners are SASL_SSL", result.Stderr);
        Assert.False(File.Exists(_dir.Combine("calls.log")));
    }

    // ---- pre-flight ----

    [Fact]
    public void The_preflight_passes_on_a_healthy_cluster()
    {
        Node("broker", 101, "CLIENT://10.42.0.30:9092");

        var result = Gate("preflight");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal("healthy: a quorum leader, every partition fully replicated and led", OneLine(result));
    }

    [Fact]
    public void The_preflight_refuses_a_cluster_with_partitions_under_min_isr_naming_them()
    {
        Node("broker", 101, "CLIENT://10.42.0.30:9092");
        Answer("under-min-isr", Release.PartitionLine("payments", 2, "101", "101,102", "101"));

        var result = Gate("preflight");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("not healthy: partitions under min.insync.replicas: payments-2", OneLine(result));
    }

    [Theory]
    [InlineData("controller")]
    [InlineData("broker:x")]
    [InlineData("broker:101;reboot")]
    public void A_bad_argument_exits_2_with_the_usage(string check)
    {
        Node("broker", 101, "CLIENT://10.42.0.30:9092");

        var result = Gate(check);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("usage: kafka-gate.sh", result.Stderr);
    }

    [Fact]
    public void The_script_passes_shellcheck()
    {
        var shellcheck = ExternalTool.Require("shellcheck", "shellcheck");

        var result = ExternalTool.Run(shellcheck, ["--shell=bash", "--severity=style", _dir.Combine("gate.sh")]);

        Assert.True(result.ExitCode == 0, result.Output);
    }

    public void Dispose() => _dir.Dispose();
}

public sealed class GateScriptTests_3_7() : GateScriptTests(KafkaRelease.V3_7);

public sealed class GateScriptTests_3_8() : GateScriptTests(KafkaRelease.V3_8);

public sealed class GateScriptTests_3_9() : GateScriptTests(KafkaRelease.V3_9);

public sealed class GateScriptTests_4_0() : GateScriptTests(KafkaRelease.V4_0);

public sealed class GateScriptTests_Default() : GateScriptTests(KafkaRelease.Default);
