using System.Text;

namespace KraftInfra.Cluster.Tests;

/// <summary>
/// kafka-ready.sh run for real with bash against stand-in Kafka tools in a temporary KAFKA_HOME.
/// The stand-ins print what the test put in answers/ (Kafka's real output layouts, built below),
/// log their argv one call per line to calls.log and their environment to env.log.
/// </summary>
public sealed class ReadyScriptTests : IDisposable
{
    private const string Voters = "1@10.42.0.10:9093,2@10.42.16.10:9093";
    private const string Controllers = "10.42.0.10:9093,10.42.16.10:9093";
    private const string OwnEndpoint = "10.42.0.30:9092";

    private readonly ExternalTool.TempDir _dir = new();

    public ReadyScriptTests()
    {
        ExternalTool.Require("bash", "bash");
        // A broker's server.properties as KafkaProperties renders it (the parts the script reads).
        _dir.Write("server.properties", $"""
            process.roles=broker
            node.id=101
            controller.quorum.voters={Voters}
            listeners=CLIENT://{OwnEndpoint}
            advertised.listeners=CLIENT://{OwnEndpoint}
            controller.listener.names=CONTROLLER

            """);
        _dir.Write("ready.sh", TemplateLibrary.Read(TemplateLibrary.ReadyScript));
        _dir.Write(TemplateLibrary.ToolsLibrary, TemplateLibrary.Read(TemplateLibrary.ToolsLibrary));
        StandIn("kafka-metadata-quorum.sh");
        StandIn("kafka-broker-api-versions.sh");
    }

    /// <summary>A stand-in tool: answers with answers/NAME.out, or fails with answers/NAME.err on stderr.</summary>
    private void StandIn(string tool) => _dir.Write($"kafka/bin/{tool}", $$"""
        #!/bin/bash
        printf '%s\n' "{{tool}} $*" >> "{{_dir.Combine("calls.log")}}"
        printf 'KAFKA_HEAP_OPTS=%s LOG_DIR=%s\n' "${KAFKA_HEAP_OPTS-}" "${LOG_DIR-}" >> "{{_dir.Combine("env.log")}}"
        mkdir -p "$LOG_DIR"   # as kafka-run-class.sh does
        touch "$LOG_DIR/tool.log"
        case "$*" in
          *"describe --status"*) answer=quorum-status ;;
          *"describe --replication"*) answer=quorum-replication ;;
          *) answer=broker-api-versions ;;
        esac
        if [ -f "{{_dir.Combine("answers")}}/$answer.err" ]; then
          cat "{{_dir.Combine("answers")}}/$answer.err" >&2
          exit 1
        fi
        cat "{{_dir.Combine("answers")}}/$answer.out"
        """, executable: true);

    private void Answer(string name, string stdout) => _dir.Write($"answers/{name}.out", stdout);

    private void Fail(string name, string stderr) => _dir.Write($"answers/{name}.err", stderr);

    // ---- Kafka's output layouts ----

    /// <summary>kafka-metadata-quorum.sh describe --status (MetadataQuorumCommand.handleDescribeStatus).</summary>
    private static string Status(int leaderId) =>
        "ClusterId:              ax8Mni9dTDqajg8dLDtKWQ\n" +
        $"LeaderId:               {leaderId}\n" +
        "LeaderEpoch:            7\n" +
        "HighWatermark:          15822\n" +
        "MaxFollowerLag:         0\n" +
        "MaxFollowerLagTimeMs:   0\n" +
        "CurrentVoters:          [{\"id\": 1, \"endpoints\": [\"CONTROLLER://10.42.0.10:9093\"]}, {\"id\": 2, \"endpoints\": [\"CONTROLLER://10.42.16.10:9093\"]}]\n" +
        "CurrentObservers:       [{\"id\": 101, \"directoryId\": \"Ry5QyoVuQsqFpSpbRUYqhg\"}, {\"id\": 102, \"directoryId\": \"8cE3SRjRRnmUNlxb2yqEJw\"}]\n";

    private sealed record Replica(int Id, long Lag, long LastCaughtUp, string Status, string DirectoryId = "AAAAAAAAAAAAAAAAAAAAAA");

    /// <summary>
    /// kafka-metadata-quorum.sh describe --replication: ToolsUtils.prettyPrintTable, every cell
    /// padded with spaces to its column's width and followed by a tab; leader, followers, observers.
    /// </summary>
    private static string Replication(params Replica[] replicas)
    {
        const long leaderEnd = 15822;
        string[] header = ["NodeId", "DirectoryId", "LogEndOffset", "Lag", "LastFetchTimestamp", "LastCaughtUpTimestamp", "Status"];
        var rows = new List<string[]> { header };
        rows.AddRange(replicas.Select(r => new[]
        {
            r.Id.ToString(), r.DirectoryId, (leaderEnd - r.Lag).ToString(), r.Lag.ToString(),
            r.LastCaughtUp == -1 ? "-1" : "1785400000123", r.LastCaughtUp.ToString(), r.Status,
        }));
        var widths = Enumerable.Range(0, header.Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
                sb.Append(row[i].PadRight(widths[i])).Append('\t');
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static Replica[] CaughtUp(long followerLag = 0) =>
    [
        new(1, 0, 1785400000123, "Leader"),
        new(2, followerLag, 1785400000101, "Follower"),
        new(101, 0, 1785400000090, "Observer", "Ry5QyoVuQsqFpSpbRUYqhg"),
        new(102, 0, 1785400000095, "Observer", "8cE3SRjRRnmUNlxb2yqEJw"),
    ];

    /// <summary>
    /// One block of kafka-broker-api-versions.sh: Node.toString (Kafka 4: with isFenced), " -> ",
    /// then NodeApiVersions.toString(true), or "ERROR: " and the failure's message.
    /// </summary>
    private static string Broker(int id, string host, string rack = "eu-west-1a", bool? fenced = false, string? error = null)
    {
        var node = fenced is null
            ? $"{host}:9092 (id: {id} rack: {rack})"
            : $"{host}:9092 (id: {id} rack: {rack} isFenced: {(fenced.Value ? "true" : "false")})";
        if (error is not null)
            return $"{node} -> ERROR: {error}\n";
        return $"{node} -> (\n\tProduce(0): 3 to 12 [usable: 12],\n\tFetch(1): 4 to 17 [usable: 17],\n\tApiVersions(18): 0 to 4 [usable: 4],\n\tDescribeCluster(60): 0 to 2 [usable: 2]\n)\n";
    }

    private static string BothBrokers() => Broker(101, "10.42.0.30") + Broker(102, "10.42.16.30", "eu-west-1b");

    private void Healthy()
    {
        Answer("quorum-status", Status(1));
        Answer("quorum-replication", Replication(CaughtUp()));
        Answer("broker-api-versions", BothBrokers());
    }

    private ExternalTool.Result Ready(params string[] args) => Ready(args, null);

    private ExternalTool.Result Ready(string[] args, Dictionary<string, string>? extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["KAFKA_HOME"] = _dir.Combine("kafka"),
            ["KRAFT_KAFKA_CONFIG"] = _dir.Combine("server.properties"),
        };
        foreach (var (k, v) in extra ?? [])
            environment[k] = v;
        return ExternalTool.Run("bash", [_dir.Combine("ready.sh"), .. args], environment: environment);
    }

    private string[] Calls() => File.Exists(_dir.Combine("calls.log")) ? File.ReadAllLines(_dir.Combine("calls.log")) : [];

    /// <summary>The script's answer: exactly one line on stdout.</summary>
    private static string OneLine(ExternalTool.Result result)
    {
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected exactly one line on stdout, got:\n{result.Output}");
        return lines[0];
    }

    // ---- Specifications ----

    [Fact]
    public void With_a_led_caught_up_quorum_and_every_broker_registered_it_is_ready()
    {
        Healthy();

        var result = Ready("101,102");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal("ready: leader 1, voters 1,2 caught up, brokers 101,102 registered", OneLine(result));
    }

    [Fact]
    public void It_asks_the_controllers_from_the_voters_and_the_brokers_through_this_brokers_own_listener()
    {
        Healthy();

        Ready("101,102");

        Assert.Equal(
        [
            $"kafka-metadata-quorum.sh --bootstrap-controller {Controllers} describe --status",
            $"kafka-metadata-quorum.sh --bootstrap-controller {Controllers} describe --replication",
            $"kafka-broker-api-versions.sh --bootstrap-server {OwnEndpoint}",
        ], Calls());
    }

    [Fact]
    public void A_quorum_without_a_leader_is_not_ready()
    {
        Healthy();
        Answer("quorum-status", Status(-1));

        var result = Ready("101,102");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("not ready: no quorum leader (LeaderId: -1)", OneLine(result));
        Assert.DoesNotContain(Calls(), c => c.Contains("--replication"));
    }

    [Fact]
    public void A_quorum_tool_that_fails_makes_it_not_ready_with_kafkas_message_and_no_stack_frame()
    {
        Healthy();
        // MetadataQuorumCommand on an unexpected failure: the message, then Utils.stackTrace.
        Fail("quorum-status", """
            org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeMetadataQuorum
            java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeMetadataQuorum
            	at java.base/java.util.concurrent.CompletableFuture.reportGet(CompletableFuture.java:396)
            	at org.apache.kafka.tools.MetadataQuorumCommand.handleDescribeStatus(MetadataQuorumCommand.java:253)
            Caused by: org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeMetadataQuorum

            """);

        var result = Ready("101,102");

        Assert.Equal(1, result.ExitCode);
        var line = OneLine(result);
        Assert.StartsWith("not ready: no quorum leader: kafka-metadata-quorum.sh failed: ", line);
        Assert.Contains("Timed out waiting for a node assignment", line);
        Assert.DoesNotContain("\tat ", line);
    }

    [Fact]
    public void A_broker_that_is_not_registered_makes_it_not_ready_and_is_named()
    {
        Healthy();
        Answer("broker-api-versions", Broker(101, "10.42.0.30"));

        var result = Ready("101,102");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("not ready: broker 102 not registered (seen: 101)", OneLine(result));
    }

    [Fact]
    public void A_lagging_voter_makes_it_not_ready_and_is_named()
    {
        Healthy();
        Answer("quorum-replication", Replication(CaughtUp(followerLag: 5000)));

        var result = Ready("101,102");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("not ready: voter 2 lags 5000 records (at most 100 allowed)", OneLine(result));
    }

    [Fact]
    public void A_voter_that_has_never_caught_up_is_not_ready()
    {
        Healthy();
        Answer("quorum-replication", Replication(
            new Replica(1, 0, 1785400000123, "Leader"), new Replica(2, 0, -1, "Follower")));

        var result = Ready("101,102");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("not ready: voter 2 has not caught up with the leader yet", OneLine(result));
    }

    [Fact]
    public void A_voter_missing_from_the_replication_state_is_not_ready()
    {
        Healthy();
        Answer("quorum-replication", Replication(new Replica(1, 0, 1785400000123, "Leader")));

        var result = Ready("101,102");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("not ready: voter 2 is missing from the quorum's replication state", OneLine(result));
    }

    [Theory]
    [InlineData("100", 0)]
    [InlineData("99", 1)]
    public void The_allowed_lag_is_100_records_unless_KRAFT_READY_MAX_LAG_says_otherwise(string maxLag, int exitCode)
    {
        Healthy();
        Answer("quorum-replication", Replication(CaughtUp(followerLag: 100)));

        var result = Ready(["101,102"], new() { ["KRAFT_READY_MAX_LAG"] = maxLag });
        var byDefault = Ready("101,102");

        Assert.True(result.ExitCode == exitCode, result.Output);
        Assert.True(byDefault.ExitCode == 0, byDefault.Output);
    }

    [Fact]
    public void A_broker_that_answers_with_an_error_is_not_ready()
    {
        Healthy();
        Answer("broker-api-versions", Broker(101, "10.42.0.30")
            + Broker(102, "10.42.16.30", error: "org.apache.kafka.common.errors.DisconnectException: Cancelled fetchApiVersions request"));

        var result = Ready("101,102");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("not ready: broker 102 does not answer: org.apache.kafka.common.errors.DisconnectException: Cancelled fetchApiVersions request",
            OneLine(result));
    }

    [Fact]
    public void A_fenced_broker_is_not_ready()
    {
        Healthy();
        Answer("broker-api-versions", Broker(101, "10.42.0.30") + Broker(102, "10.42.16.30", fenced: true));

        var result = Ready("101,102");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("not ready: broker 102 is fenced", OneLine(result));
    }

    [Fact]
    public void Brokers_in_kafka_3s_layout_without_isFenced_count_as_registered()
    {
        Healthy();
        Answer("broker-api-versions", Broker(101, "10.42.0.30", "null", fenced: null) + Broker(102, "10.42.16.30", "null", fenced: null));

        var result = Ready("101,102");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal("ready: leader 1, voters 1,2 caught up, brokers 101,102 registered", OneLine(result));
    }

    [Fact]
    public void A_registered_broker_outside_the_topology_is_mentioned_but_does_not_stop_it_being_ready()
    {
        Healthy();
        Answer("broker-api-versions", BothBrokers() + Broker(103, "10.42.32.30", "eu-west-1c"));

        var result = Ready("101,102");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal("ready: leader 1, voters 1,2 caught up, brokers 101,102 registered (also registered, not in the topology: 103)",
            OneLine(result));
    }

    [Fact]
    public void Everything_missing_is_named_in_the_one_line()
    {
        Answer("quorum-status", Status(-1));
        Answer("broker-api-versions", "");

        var result = Ready("101,102");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("not ready: no quorum leader (LeaderId: -1); brokers 101,102 not registered (seen: none)", OneLine(result));
    }

    [Theory]
    [InlineData]
    [InlineData("")]
    [InlineData("101,")]
    [InlineData("101 102")]
    [InlineData("-1")]
    [InlineData("101;rm -rf /")]
    [InlineData("101", "102")]
    public void A_bad_argument_exits_2_with_the_usage_and_runs_no_tool(params string[] args)
    {
        Healthy();

        var result = Ready(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("usage: kafka-ready.sh EXPECTED_BROKER_IDS", result.Stderr);
        Assert.Equal("", result.Stdout);
        Assert.Empty(Calls());
    }

    [Fact]
    public void Kafkas_tools_run_with_a_small_heap_and_a_temporary_log_dir_that_is_removed_afterwards()
    {
        Healthy();

        var result = Ready("101,102");

        Assert.True(result.ExitCode == 0, result.Output);
        var runs = File.ReadAllLines(_dir.Combine("env.log"));
        Assert.Equal(3, runs.Length);
        foreach (var run in runs)
        {
            Assert.StartsWith("KAFKA_HEAP_OPTS=-Xmx256m LOG_DIR=/", run);
            var logDir = run[(run.IndexOf("LOG_DIR=", StringComparison.Ordinal) + "LOG_DIR=".Length)..];
            Assert.False(Directory.Exists(logDir), $"{logDir} was left behind");
        }
    }

    [Fact]
    public void The_script_passes_shellcheck()
    {
        var shellcheck = ExternalTool.Require("shellcheck", "shellcheck");

        var result = ExternalTool.Run(shellcheck, ["--shell=bash", "--severity=style", _dir.Combine("ready.sh")]);

        Assert.True(result.ExitCode == 0, result.Output);
    }

    public void Dispose() => _dir.Dispose();
}
