using System.Text;

namespace KraftInfra.Cluster.Tests;

/// <summary>
/// kafka-ready.sh run for real with bash against stand-in Kafka tools in a temporary KAFKA_HOME.
/// The stand-ins print what the test put in answers/ (the release's real output layouts, from
/// <see cref="KafkaRelease"/>), log their argv one call per line to calls.log and their
/// environment to env.log. Every test runs once per release line (the classes at the end).
/// </summary>
public abstract class ReadyScriptTests : IDisposable
{
    protected KafkaRelease Release { get; }

    private const string Voters = "1@10.42.0.10:9093,2@10.42.16.10:9093";
    private const string Controllers = "10.42.0.10:9093,10.42.16.10:9093";
    private const string OwnEndpoint = "10.42.0.30:9092";

    private readonly ExternalTool.TempDir _dir = new();

    protected ReadyScriptTests(KafkaRelease release)
    {
        Release = release;
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

    // ---- The release's output layouts ----

    private string Status(int leaderId) => Release.QuorumStatus(leaderId,
        [(1, "10.42.0.10:9093"), (2, "10.42.16.10:9093")], [(101, "Ry5QyoVuQsqFpSpbRUYqhg"), (102, "8cE3SRjRRnmUNlxb2yqEJw")]);

    private string Replication(params KafkaRelease.Replica[] replicas) => Release.QuorumReplication(replicas);

    private static KafkaRelease.Replica[] CaughtUp(long followerLag = 0) =>
    [
        new(1, 0, 1785400000123, "Leader"),
        new(2, followerLag, 1785400000101, "Follower"),
        new(101, 0, 1785400000090, "Observer", "Ry5QyoVuQsqFpSpbRUYqhg"),
        new(102, 0, 1785400000095, "Observer", "8cE3SRjRRnmUNlxb2yqEJw"),
    ];

    private string Broker(int id, string host, string rack = "eu-west-1a", string? error = null) => Release.Broker(id, host, rack, error);

    private string BothBrokers() => Broker(101, "10.42.0.30") + Broker(102, "10.42.16.30", "eu-west-1b");

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

    /// <summary>How <see cref="Calls"/> shows the --command-config files, a new temporary path each run.</summary>
    private const string AdminConfig = "<admin.properties>";
    private const string ControllerConfig = "<controller-admin.properties>";

    private string[] Calls() => File.Exists(_dir.Combine("calls.log"))
        ? File.ReadAllLines(_dir.Combine("calls.log"))
            .Select(c => System.Text.RegularExpressions.Regex.Replace(c, "--command-config [^ ]+/admin\\.properties", "--command-config " + AdminConfig))
            .Select(c => System.Text.RegularExpressions.Regex.Replace(c, "--command-config [^ ]+/controller-admin\\.properties", "--command-config " + ControllerConfig))
            .ToArray()
        : [];

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
            $"kafka-metadata-quorum.sh --bootstrap-controller {Controllers} --command-config {ControllerConfig} describe --status",
            $"kafka-metadata-quorum.sh --bootstrap-controller {Controllers} --command-config {ControllerConfig} describe --replication",
            $"kafka-broker-api-versions.sh --bootstrap-server {OwnEndpoint} --command-config {AdminConfig}",
        ], Calls());
    }

    [Fact]
    public void A_quorum_without_a_leader_is_not_ready_with_kafkas_reason_and_the_voters_are_not_asked()
    {
        // DescribeQuorum is answered only by the leader: without one the tool times out and fails.
        Healthy();
        Fail("quorum-status", KafkaRelease.QuorumTimeout);

        var result = Ready("101,102");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("not ready: no quorum leader: kafka-metadata-quorum.sh failed: "
                     + "org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeMetadataQuorum",
            OneLine(result));
        Assert.DoesNotContain(Calls(), c => c.Contains("--replication"));
    }

    [Fact]
    public void The_quorum_tools_get_an_api_timeout_15_seconds_inside_the_scripts_own()
    {
        Healthy();
        // The stand-in saves the --command-config it was given, before the script removes it.
        _dir.Write("kafka/bin/kafka-metadata-quorum.sh", $$"""
            #!/bin/bash
            printf '%s\n' "kafka-metadata-quorum.sh $*" >> "{{_dir.Combine("calls.log")}}"
            while [ $# -gt 0 ]; do [ "$1" = --command-config ] && cp "$2" "{{_dir.Combine("admin.seen")}}"; shift; done
            cat "{{_dir.Combine("answers")}}/quorum-status.out"
            """, executable: true);

        Ready(["101,102"], new() { ["KRAFT_TOOL_TIMEOUT_SECONDS"] = "45" });

        Assert.Equal(["default.api.timeout.ms=30000", "request.timeout.ms=30000"], File.ReadAllLines(_dir.Combine("admin.seen")));
    }

    /// <summary>A scram-tls broker's properties (the listener map) and the files secure-node.sh wrote.</summary>
    private void SaslSsl(bool withSecrets = true)
    {
        File.AppendAllText(_dir.Combine("server.properties"), "listener.security.protocol.map=CONTROLLER:SASL_SSL,CLIENT:SASL_SSL\n");
        if (!withSecrets)
            return;
        _dir.Write("secrets/admin-client.properties", "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=scram-admin-secret\n");
        _dir.Write("secrets/admin-controller.properties", "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=plain-admin-secret\n");
    }

    /// <summary>Stand-ins that also save each --command-config they were given, one file per call.</summary>
    private void SavingConfigs()
    {
        foreach (var tool in new[] { "kafka-metadata-quorum.sh", "kafka-broker-api-versions.sh" })
        {
            var path = _dir.Combine("kafka", "bin", tool);
            var script = File.ReadAllText(path).Replace("mkdir -p \"$LOG_DIR\"", $$"""
                n=$(wc -l < "{{_dir.Combine("calls.log")}}")
                prev=""; for a in "$@"; do [ "$prev" = --command-config ] && cp "$a" "{{_dir.Combine("seen")}}.$n"; prev=$a; done
                mkdir -p "$LOG_DIR"
                """);
            File.WriteAllText(path, script);
        }
    }

    private string Seen(int call) => File.ReadAllText(_dir.Combine($"seen.{call}"));

    [Fact]
    public void With_sasl_ssl_listeners_each_tool_authenticates_as_the_admin_from_the_files_written_at_boot()
    {
        Healthy();
        SaslSsl();
        SavingConfigs();

        var result = Ready(["101,102"], new() { ["KRAFT_SECRETS_DIR"] = _dir.Combine("secrets") });

        Assert.True(result.ExitCode == 0, result.Output);
        // --bootstrap-controller gets the PLAIN config, --bootstrap-server the SCRAM one.
        Assert.Contains("sasl.jaas.config=plain-admin-secret", Seen(1));
        Assert.Contains("sasl.jaas.config=plain-admin-secret", Seen(2));
        Assert.Contains("sasl.jaas.config=scram-admin-secret", Seen(3));
        Assert.DoesNotContain("scram", Seen(1));
        Assert.StartsWith("default.api.timeout.ms=", Seen(3));
        // Nothing of the credentials reaches a command line.
        Assert.DoesNotContain(Calls(), c => c.Contains("secret"));
    }

    [Fact]
    public void With_sasl_ssl_listeners_and_no_credentials_written_it_is_a_configuration_error_naming_the_file()
    {
        Healthy();
        SaslSsl(withSecrets: false);

        var result = Ready(["101,102"], new() { ["KRAFT_SECRETS_DIR"] = _dir.Combine("secrets") });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{_dir.Combine("secrets")}/admin-client.properties is missing: the listeners are SASL_SSL", result.Stderr);
        Assert.Empty(Calls());
    }

    [Fact]
    public void A_tool_timeout_too_short_for_the_tools_own_is_a_configuration_error()
    {
        Healthy();

        var result = Ready(["101,102"], new() { ["KRAFT_TOOL_TIMEOUT_SECONDS"] = "19" });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("KRAFT_TOOL_TIMEOUT_SECONDS must be at least 20", result.Stderr);
        Assert.Empty(Calls());
    }

    [Fact]
    public void A_quorum_tool_that_fails_makes_it_not_ready_with_kafkas_message_and_no_stack_frame()
    {
        Healthy();
        // MetadataQuorumCommand on an unexpected failure: the message, then Utils.stackTrace.
        Fail("quorum-status", KafkaRelease.QuorumTimeout);

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
            new KafkaRelease.Replica(1, 0, 1785400000123, "Leader"), new KafkaRelease.Replica(2, 0, -1, "Follower")));

        var result = Ready("101,102");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("not ready: voter 2 has not caught up with the leader yet", OneLine(result));
    }

    [Fact]
    public void A_voter_missing_from_the_replication_state_is_not_ready()
    {
        Healthy();
        Answer("quorum-replication", Replication(new KafkaRelease.Replica(1, 0, 1785400000123, "Leader")));

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
    public void A_fenced_broker_which_the_metadata_leaves_out_is_named_as_not_registered()
    {
        Healthy();
        // Brokers list only unfenced brokers (KRaftMetadataCache.getAliveBrokerNodes).
        Answer("broker-api-versions", Broker(101, "10.42.0.30"));

        var result = Ready("101,102");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("not ready: broker 102 not registered (seen: 101)", OneLine(result));
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
        Fail("quorum-status", KafkaRelease.QuorumTimeout);
        Fail("broker-api-versions", Release.BrokerApiUnreachable(OwnEndpoint));

        var result = Ready("101,102");

        Assert.Equal(1, result.ExitCode);
        var line = OneLine(result);
        Assert.StartsWith("not ready: no quorum leader: kafka-metadata-quorum.sh failed: org.apache.kafka.common.errors.TimeoutException", line);
        Assert.Contains($"; brokers not checked: kafka-broker-api-versions.sh failed: ", line);
        Assert.Contains($"Request METADATA failed on brokers", line);
        Assert.DoesNotContain("\tat ", line);
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

public sealed class ReadyScriptTests_3_7() : ReadyScriptTests(KafkaRelease.V3_7);

public sealed class ReadyScriptTests_3_8() : ReadyScriptTests(KafkaRelease.V3_8);

public sealed class ReadyScriptTests_3_9() : ReadyScriptTests(KafkaRelease.V3_9);

public sealed class ReadyScriptTests_4_0() : ReadyScriptTests(KafkaRelease.V4_0);

public sealed class ReadyScriptTests_Default() : ReadyScriptTests(KafkaRelease.Default);
