using System.Text;

namespace KraftInfra.Cluster.Tests;

/// <summary>
/// kafka-topics-apply.sh run for real with bash against stand-in kafka-topics.sh and
/// kafka-configs.sh in a temporary KAFKA_HOME. The stand-ins keep the cluster's topics as folders
/// under cluster/ (partitions, replication, config as key=value lines: the topic's dynamic
/// configs), print the release's real output layouts (<see cref="KafkaRelease"/>), and log their
/// argv one call per line to calls.log. Every test runs once per release line (the classes at the end).
/// </summary>
public abstract class TopicsScriptTests : IDisposable
{
    protected KafkaRelease Release { get; }

    private const string OwnEndpoint = "10.42.0.30:9092";

    private readonly ExternalTool.TempDir _dir = new();

    protected TopicsScriptTests(KafkaRelease release)
    {
        Release = release;
        ExternalTool.Require("bash", "bash");
        ExternalTool.Require("python3", "python3");
        _dir.Write("server.properties", $"""
            process.roles=broker
            node.id=101
            controller.quorum.voters=1@10.42.0.10:9093,2@10.42.16.10:9093
            listeners=CLIENT://{OwnEndpoint}
            advertised.listeners=CLIENT://{OwnEndpoint}
            controller.listener.names=CONTROLLER

            """);
        _dir.Write("topics.sh", TemplateLibrary.Read(TemplateLibrary.TopicsScript));
        _dir.Write(TemplateLibrary.ToolsLibrary, TemplateLibrary.Read(TemplateLibrary.ToolsLibrary));
        Directory.CreateDirectory(_dir.Combine("cluster"));
        WriteKafkaTopics();
        WriteKafkaConfigs();
    }

    /// <summary>What every stand-in does first: log the call and its environment, make LOG_DIR as kafka-run-class.sh does.</summary>
    private string Prologue(string tool) => $$"""
        #!/bin/bash
        cluster="{{_dir.Combine("cluster")}}"
        # kafka_prints KEY VALUE: the value as the broker prints it back (lists joined by ",",
        # doubles canonical), for the keys the tests use in those types.
        kafka_prints() {
          python3 -c 'import re, sys
        k, v = sys.argv[1], sys.argv[2].strip()
        if k in ("cleanup.policy", "leader.replication.throttled.replicas", "follower.replication.throttled.replicas"):
            v = ",".join(re.split(r"\s*,\s*", v)) if v else ""
        elif k == "min.cleanable.dirty.ratio":
            v = repr(float(v))
        print(v)' "$1" "$2"
        }
        printf '%s\n' "{{tool}} $*" >> "{{_dir.Combine("calls.log")}}"
        printf 'KAFKA_HEAP_OPTS=%s LOG_DIR=%s\n' "${KAFKA_HEAP_OPTS-}" "${LOG_DIR-}" >> "{{_dir.Combine("env.log")}}"
        # The --command-config file as the tool got it, saved as seen.<call number>.
        call=$(wc -l < "{{_dir.Combine("calls.log")}}")
        prev=""; for a in "$@"; do [ "$prev" = --command-config ] && cp "$a" "{{_dir.Combine("seen")}}.$call"; prev=$a; done
        mkdir -p "$LOG_DIR"
        touch "$LOG_DIR/tool.log"
        """;

    /// <summary>
    /// kafka-topics.sh (TopicCommand): --topic is a regular expression matching whole names except
    /// with --create; errors print "Error while executing topic command : ..." on stdout, exit 1.
    /// </summary>
    private void WriteKafkaTopics() => _dir.Write("kafka/bin/kafka-topics.sh", Prologue("kafka-topics.sh") + $$"""

        fail() {
          echo "Error while executing topic command : $1"
          printf '[2026-07-30 10:15:02,114] ERROR %s: %s\n\tat org.apache.kafka.tools.TopicCommand.execute(TopicCommand.java:117)\n (org.apache.kafka.tools.TopicCommand)\n' "$2" "$1" >&2
          exit 1
        }
        if [ -f "{{_dir.Combine("broker-down")}}" ]; then
          fail "Timed out waiting for a node assignment. Call: listTopics" org.apache.kafka.common.errors.TimeoutException
        fi
        action=""; topic=""; partitions=""; replication=""; configs=(); if_exists=0
        while [ $# -gt 0 ]; do
          case "$1" in
            --bootstrap-server|--command-config) shift 2 ;;
            --if-exists) if_exists=1; shift ;;
            --describe|--create|--alter) action=$1; shift ;;
            --topic) topic=$2; shift 2 ;;
            --partitions) partitions=$2; shift 2 ;;
            --replication-factor) replication=$2; shift 2 ;;
            --config) configs+=("$2"); shift 2 ;;
            *) echo "Exception in thread \"main\" joptsimple.UnrecognizedOptionException: ${1#--} is not a recognized option" >&2; exit 1 ;;
          esac
        done
        matching() {
          local dir name
          for dir in "$cluster"/*/; do
            [ -d "$dir" ] || continue
            name=$(basename "$dir")
            if [[ $name =~ ^($topic)$ ]]; then echo "$name"; fi
          done
        }
        case "$action" in
          --describe)
            names=$(matching)
            if [ -z "$names" ]; then
              # --if-exists: nothing described, nothing printed, exit 0 (every release).
              (( if_exists == 1 )) && exit 0
              fail "{{Release.MissingTopic("$topic")}}" java.lang.IllegalArgumentException
            fi
            for name in $names; do
              p=$(cat "$cluster/$name/partitions"); r=$(cat "$cluster/$name/replication")
              # Configs: every value not at its default, the broker's static ones too.
              shown=$(cat "$cluster/$name/config" "{{_dir.Combine("broker-static.properties")}}" 2>/dev/null | paste -sd, -)
              replicas=$(seq 101 $((100 + r)) | paste -sd, -)
              printf 'Topic: %s\tTopicId: w3mDeHJbR0ul_uE6Qnx2ZQ\tPartitionCount: %s\tReplicationFactor: %s\tConfigs: %s\n' "$name" "$p" "$r" "$shown"
              for (( i = 0; i < p; i++ )); do
                printf '\tTopic: %s\tPartition: %d\tLeader: 101\tReplicas: %s\tIsr: %s{{(Release.PartitionLinesHaveElr ? "\\tElr: \\tLastKnownElr: " : "")}}\n' "$name" "$i" "$replicas" "$replicas"
              done
            done
            ;;
          --create)
            [ ! -d "$cluster/$topic" ] || fail "Topic '$topic' already exists." org.apache.kafka.common.errors.TopicExistsException
            for c in "${configs[@]}"; do
              # TopicCommand splits each --config at '=' (dropping trailing empty parts) and wants two parts.
              value=${c#*=}
              if [[ $c != *=* || -z $value || $value == *=* ]]; then
                fail 'requirement failed: Invalid topic config: all configs to be added must be in the format "key=val".' java.lang.IllegalArgumentException
              fi
            done
            if [[ $topic == *[._]* ]]; then
              echo "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both."
            fi
            mkdir "$cluster/$topic"
            echo "$partitions" > "$cluster/$topic/partitions"
            echo "$replication" > "$cluster/$topic/replication"
            : > "$cluster/$topic/config"
            # The broker keeps a value as ConfigDef parses it and prints it back with convertToString.
            for c in "${configs[@]}"; do printf '%s\n' "${c%%=*}=$(kafka_prints "${c%%=*}" "${c#*=}")" >> "$cluster/$topic/config"; done
            echo "Created topic $topic."
            ;;
          --alter)
            names=$(matching)
            [ -n "$names" ] || fail "{{Release.MissingTopic("$topic")}}" java.lang.IllegalArgumentException
            for name in $names; do
              current=$(cat "$cluster/$name/partitions")
              if (( partitions == current )); then
                fail "Topic already has $current partition(s)." org.apache.kafka.common.errors.InvalidPartitionsException
              elif (( partitions < current )); then
                fail "The topic $name currently has $current partition(s); $partitions would not be an increase." org.apache.kafka.common.errors.InvalidPartitionsException
              fi
              echo "$partitions" > "$cluster/$name/partitions"
            done
            ;;
          *) echo "Command must include exactly one action: --list, --describe, --create, --alter or --delete" >&2; exit 1 ;;
        esac
        """, executable: true);

    /// <summary>
    /// kafka-configs.sh (ConfigCommand) for topics: --describe prints the topic's dynamic configs;
    /// --alter --add-config parses its argument as Kafka does (split at ',' and '=' outside square
    /// brackets, then every bracket and the surrounding white space dropped).
    /// </summary>
    private void WriteKafkaConfigs() => _dir.Write("kafka/bin/kafka-configs.sh", Prologue("kafka-configs.sh") + $$"""

        if [ -f "{{_dir.Combine("broker-down")}}" ]; then
          echo "Error while executing config command with args '$*'" >&2
          printf 'java.util.concurrent.TimeoutException\n\tat java.base/java.util.concurrent.CompletableFuture.timedGet(CompletableFuture.java:1960)\n' >&2
          exit 1
        fi
        action=""; type=""; name=""; add=""
        while [ $# -gt 0 ]; do
          case "$1" in
            --bootstrap-server|--command-config) shift 2 ;;
            --entity-type) type=$2; shift 2 ;;
            --entity-name) name=$2; shift 2 ;;
            --describe|--alter) action=$1; shift ;;
            --add-config) add=$2; shift 2 ;;
            *) echo "${1#--} is not a recognized option" >&2; exit 1 ;;
          esac
        done
        [ "$type" = topics ] || { echo "Invalid entity type: $type" >&2; exit 1; }
        if [ ! -d "$cluster/$name" ]; then
          # From 4.1 a describe of a missing topic says so and exits 0; before, it fails.
          if [ "$action" = --describe ] && {{(KafkaVersion.Parse(Release.Version).AtLeast(4, 1) ? "true" : "false")}}; then
            echo "The topic '$name' doesn't exist and doesn't have dynamic config."
            exit 0
          fi
          echo "Error while executing config command with args '$*'" >&2
          printf 'java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.\n\tat java.base/java.util.concurrent.CompletableFuture.reportGet(CompletableFuture.java:396)\n' >&2
          exit 1
        fi
        case "$action" in
          --describe)
            echo "Dynamic configs for topic $name are:"
            sort "$cluster/$name/config" | while IFS= read -r entry; do
              key=${entry%%=*}; value=${entry#*=}
              synonyms="DYNAMIC_TOPIC_CONFIG:$key=$value"
              [ "$key" != retention.ms ] || synonyms+=", DEFAULT_CONFIG:log.retention.hours=168"
              echo "  $key=$value sensitive=false synonyms={$synonyms}"
            done
            ;;
          --alter)
            python3 - "$add" "$cluster/$name/config" <<'PY' || exit 1
        import re, sys
        outside = r"(?=[^\]]*(?:\[|$))"
        pairs = [re.split(r"\s*=\s*" + outside, part) for part in re.split("," + outside, sys.argv[1])]
        if any(len(pair) != 2 for pair in pairs):
            sys.stderr.write('Invalid entity config: all configs to be added must be in the format "key=val" or  "key=[val1,val2]" to group values which contain commas.\n')
            sys.exit(1)
        with open(sys.argv[2]) as f:
            current = dict(line.rstrip("\n").split("=", 1) for line in f if line.strip())
        for key, value in pairs:
            key, value = key.strip(), re.sub(r"\[?\]?", "", value).strip()
            # As the broker prints it back (ConfigDef.convertToString): lists joined by ",", doubles canonical.
            if key in ("cleanup.policy", "leader.replication.throttled.replicas", "follower.replication.throttled.replicas"):
                value = ",".join(re.split(r"\s*,\s*", value)) if value else ""
            elif key == "min.cleanable.dirty.ratio":
                value = repr(float(value))
            current[key] = value
        with open(sys.argv[2], "w") as f:
            f.writelines(key + "=" + value + "\n" for key, value in current.items())
        PY
            echo "Completed updating config for topic $name."
            ;;
          *) echo "Command must include exactly one of --alter, --describe" >&2; exit 1 ;;
        esac
        """, executable: true);

    // ---- helpers ----

    private void Existing(string name, int partitions, int replication, params (string Key, string Value)[] config)
    {
        _dir.Write($"cluster/{name}/partitions", $"{partitions}\n");
        _dir.Write($"cluster/{name}/replication", $"{replication}\n");
        _dir.Write($"cluster/{name}/config", string.Concat(config.Select(c => $"{c.Key}={c.Value}\n")));
    }

    private bool Exists(string name) => Directory.Exists(_dir.Combine("cluster", name));

    private int PartitionsOf(string name) => int.Parse(File.ReadAllText(_dir.Combine("cluster", name, "partitions")).Trim());

    private Dictionary<string, string> ConfigOf(string name) => File.ReadAllLines(_dir.Combine("cluster", name, "config"))
        .Where(l => l.Length > 0)
        .Select(l => l.Split('=', 2))
        .ToDictionary(p => p[0], p => p[1]);

    private static string Base64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));

    private ExternalTool.Result Apply(string json) => Run(Base64(json));

    private ExternalTool.Result Run(params string[] args) => ExternalTool.Run("bash", [_dir.Combine("topics.sh"), .. args],
        environment: new Dictionary<string, string>
        {
            ["KAFKA_HOME"] = _dir.Combine("kafka"),
            ["KRAFT_KAFKA_CONFIG"] = _dir.Combine("server.properties"),
            ["KRAFT_SECRETS_DIR"] = _dir.Combine("secrets"),
        });

    /// <summary>How <see cref="Calls"/> shows the --command-config file, a new temporary path each run.</summary>
    private const string AdminConfig = "<admin.properties>";

    private string[] Calls() => File.Exists(_dir.Combine("calls.log"))
        ? File.ReadAllLines(_dir.Combine("calls.log"))
            .Select(c => System.Text.RegularExpressions.Regex.Replace(c, "--command-config [^ ]+/admin\\.properties", "--command-config " + AdminConfig))
            .ToArray()
        : [];

    /// <summary>The calls that change the cluster.</summary>
    private string[] Changes() => Calls().Where(c => c.Contains(" --create ") || c.Contains(" --alter ") || c.Contains(" --delete")).ToArray();

    private void ForgetCalls() => File.Delete(_dir.Combine("calls.log"));

    private static string[] Lines(ExternalTool.Result result) => result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    // ---- Specifications ----

    [Fact]
    public void A_missing_topic_is_created_through_this_brokers_own_listener_with_its_configs()
    {
        var result = Apply("""
            [{"name": "orders", "partitions": 6, "replicationFactor": 2,
              "config": {"retention.ms": "604800000", "cleanup.policy": "compact,delete"}}]
            """);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(
        [
            $"kafka-topics.sh --bootstrap-server {OwnEndpoint} --command-config {AdminConfig} --describe --if-exists --topic orders",
            $"kafka-topics.sh --bootstrap-server {OwnEndpoint} --command-config {AdminConfig} --create --topic orders --partitions 6 --replication-factor 2 --config retention.ms=604800000 --config cleanup.policy=compact,delete",
        ], Calls());
        Assert.Equal(
        [
            "created orders (partitions 6, replication factor 2, config retention.ms=604800000, cleanup.policy=compact,delete)",
            "topics: orders",
        ], Lines(result));
        Assert.Equal(6, PartitionsOf("orders"));
        Assert.Equal("604800000", ConfigOf("orders")["retention.ms"]);
    }

    [Fact]
    public void With_sasl_ssl_listeners_every_tool_call_authenticates_as_the_admin_from_the_file_written_at_boot()
    {
        File.AppendAllText(_dir.Combine("server.properties"), "listener.security.protocol.map=CONTROLLER:SASL_SSL,CLIENT:SASL_SSL\n");
        _dir.Write("secrets/admin-client.properties", "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=scram-admin-secret\n");
        _dir.Write("secrets/admin-controller.properties", "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=plain-admin-secret\n");

        var result = Apply("""[{"name": "orders", "partitions": 3, "replicationFactor": 2, "config": {}}]""");

        Assert.True(result.ExitCode == 0, result.Output);
        var calls = Calls();
        Assert.NotEmpty(calls);
        for (var call = 1; call <= calls.Length; call++)
        {
            Assert.True(File.Exists(_dir.Combine($"seen.{call}")), $"call {call} ({calls[call - 1]}) had no --command-config");
            Assert.Contains("sasl.jaas.config=scram-admin-secret", File.ReadAllText(_dir.Combine($"seen.{call}")));
        }
        Assert.DoesNotContain(calls, c => c.Contains("secret"));
    }

    [Fact]
    public void With_sasl_ssl_listeners_and_no_credentials_written_nothing_runs()
    {
        File.AppendAllText(_dir.Combine("server.properties"), "listener.security.protocol.map=CONTROLLER:SASL_SSL,CLIENT:SASL_SSL\n");

        var result = Apply("""[{"name": "orders", "partitions": 3, "replicationFactor": 2, "config": {}}]""");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("admin-client.properties is missing: the listeners are SASL_SSL", result.Stderr);
        Assert.Empty(Calls());
    }

    [Fact]
    public void A_topic_that_matches_its_declaration_runs_no_create_or_alter_and_other_topics_are_left_alone()
    {
        Existing("orders", 6, 2, ("retention.ms", "604800000"), ("segment.ms", "3600000"));
        Existing("payments", 3, 2);

        var result = Apply("""
            [{"name": "orders", "partitions": 6, "replicationFactor": 2, "config": {"retention.ms": "604800000"}}]
            """);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(["orders: unchanged", "topics: orders"], Lines(result));
        Assert.Equal(
        [
            $"kafka-topics.sh --bootstrap-server {OwnEndpoint} --command-config {AdminConfig} --describe --if-exists --topic orders",
            $"kafka-configs.sh --bootstrap-server {OwnEndpoint} --command-config {AdminConfig} --entity-type topics --entity-name orders --describe",
        ], Calls());
        Assert.True(Exists("payments"));
    }

    [Fact]
    public void Running_again_with_the_same_list_runs_no_create_or_alter_command()
    {
        const string list = """
            [{"name": "orders", "partitions": 6, "replicationFactor": 2, "config": {"cleanup.policy": "compact,delete", "retention.ms": "604800000"}},
             {"name": "audit.log", "partitions": 1, "replicationFactor": 2, "config": {}},
             {"name": "clicks", "partitions": 3, "replicationFactor": 1}]
            """;
        var first = Apply(list);
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Equal(3, Changes().Length);
        ForgetCalls();

        var again = Apply(list);

        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Empty(Changes());
        Assert.Equal(["orders: unchanged", "audit.log: unchanged", "clicks: unchanged", "topics: orders,audit.log,clicks"], Lines(again));
    }

    [Fact]
    public void Lowering_partitions_is_refused_and_nothing_changes_even_for_the_other_topics()
    {
        Existing("orders", 6, 2);
        Existing("payments", 3, 2, ("retention.ms", "86400000"));

        var result = Apply("""
            [{"name": "payments", "partitions": 6, "replicationFactor": 2, "config": {"retention.ms": "604800000"}},
             {"name": "orders", "partitions": 3, "replicationFactor": 2},
             {"name": "clicks", "partitions": 3, "replicationFactor": 2}]
            """);

        Assert.Equal(1, result.ExitCode);
        var refusal = Assert.Single(Lines(result), l => l.StartsWith("refused:"));
        Assert.StartsWith("refused: topic orders: partitions 6 -> 3: Kafka cannot take partitions away from a topic", refusal);
        Assert.Empty(Changes());
        Assert.Equal(6, PartitionsOf("orders"));
        Assert.Equal(3, PartitionsOf("payments"));
        Assert.Equal("86400000", ConfigOf("payments")["retention.ms"]);
        Assert.False(Exists("clicks"));
        Assert.DoesNotContain(Lines(result), l => l.StartsWith("topics:"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Changing_the_replication_factor_is_refused(int requested)
    {
        Existing("orders", 6, 2);

        var result = Apply($$"""[{"name": "orders", "partitions": 12, "replicationFactor": {{requested}}}]""");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"refused: topic orders: replication factor 2 -> {requested}: changing it needs a partition reassignment", Lines(result)[0]);
        Assert.Empty(Changes());
        Assert.Equal(6, PartitionsOf("orders"));
    }

    [Fact]
    public void Every_refusal_is_named_before_giving_up()
    {
        Existing("orders", 6, 2);
        Existing("payments", 6, 2);

        var result = Apply("""
            [{"name": "orders", "partitions": 3, "replicationFactor": 3},
             {"name": "payments", "partitions": 1, "replicationFactor": 2}]
            """);

        Assert.Equal(1, result.ExitCode);
        var refusals = Lines(result).Where(l => l.StartsWith("refused:")).ToArray();
        Assert.Equal(3, refusals.Length);
        Assert.StartsWith("refused: topic orders: partitions 6 -> 3", refusals[0]);
        Assert.StartsWith("refused: topic orders: replication factor 2 -> 3", refusals[1]);
        Assert.StartsWith("refused: topic payments: partitions 6 -> 1", refusals[2]);
    }

    [Fact]
    public void Raising_partitions_alters_the_topic()
    {
        Existing("orders", 6, 2);

        var result = Apply("""[{"name": "orders", "partitions": 12, "replicationFactor": 2}]""");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal([$"kafka-topics.sh --bootstrap-server {OwnEndpoint} --command-config {AdminConfig} --alter --topic orders --partitions 12"], Changes());
        Assert.Equal(["orders: partitions 6 -> 12", "topics: orders"], Lines(result));
        Assert.Equal(12, PartitionsOf("orders"));
    }

    [Fact]
    public void A_config_value_that_differs_is_set_with_kafka_configs_and_undeclared_ones_are_left_alone()
    {
        Existing("orders", 6, 2, ("retention.ms", "604800000"), ("segment.ms", "3600000"), ("max.message.bytes", "1048588"));

        var result = Apply("""
            [{"name": "orders", "partitions": 6, "replicationFactor": 2,
              "config": {"retention.ms": "86400000", "max.message.bytes": "1048588", "min.insync.replicas": "2"}}]
            """);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(
            [$"kafka-configs.sh --bootstrap-server {OwnEndpoint} --command-config {AdminConfig} --alter --entity-type topics --entity-name orders --add-config retention.ms=86400000,min.insync.replicas=2"],
            Changes());
        Assert.Equal(
        [
            "orders: config retention.ms=86400000 (was 604800000)",
            "orders: config min.insync.replicas=2 (not set before)",
            "topics: orders",
        ], Lines(result));
        Assert.Equal(
            new Dictionary<string, string> { ["retention.ms"] = "86400000", ["segment.ms"] = "3600000", ["max.message.bytes"] = "1048588", ["min.insync.replicas"] = "2" },
            ConfigOf("orders"));
    }

    [Fact]
    public void A_config_value_holding_a_comma_is_written_in_kafkas_bracket_form()
    {
        Existing("orders", 6, 2, ("cleanup.policy", "delete"));

        var result = Apply("""
            [{"name": "orders", "partitions": 6, "replicationFactor": 2,
              "config": {"cleanup.policy": "compact,delete", "retention.ms": "604800000"}}]
            """);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(
            [$"kafka-configs.sh --bootstrap-server {OwnEndpoint} --command-config {AdminConfig} --alter --entity-type topics --entity-name orders --add-config cleanup.policy=[compact,delete],retention.ms=604800000"],
            Changes());
        Assert.Equal("compact,delete", ConfigOf("orders")["cleanup.policy"]);
        Assert.Equal("604800000", ConfigOf("orders")["retention.ms"]);
    }

    [Fact]
    public void Values_kafka_topics_cannot_take_at_creation_are_set_right_after_it()
    {
        var result = Apply("""
            [{"name": "orders", "partitions": 2, "replicationFactor": 1,
              "config": {"retention.ms": "604800000", "cleanup.policy": "", "follower.replication.throttled.replicas": "0:101,1:102"}}]
            """);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(
        [
            $"kafka-topics.sh --bootstrap-server {OwnEndpoint} --command-config {AdminConfig} --create --topic orders --partitions 2 --replication-factor 1 --config retention.ms=604800000 --config follower.replication.throttled.replicas=0:101,1:102",
        ], Changes().Where(c => c.Contains("--create")));
        Assert.Equal(
            [$"kafka-configs.sh --bootstrap-server {OwnEndpoint} --command-config {AdminConfig} --alter --entity-type topics --entity-name orders --add-config cleanup.policy="],
            Changes().Where(c => c.StartsWith("kafka-configs.sh")));
        Assert.Equal("", ConfigOf("orders")["cleanup.policy"]);

        ForgetCalls();
        var again = Apply("""
            [{"name": "orders", "partitions": 2, "replicationFactor": 1,
              "config": {"retention.ms": "604800000", "cleanup.policy": "", "follower.replication.throttled.replicas": "0:101,1:102"}}]
            """);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Empty(Changes());
    }

    [Fact]
    public void A_value_the_topic_only_inherits_from_the_broker_is_set_on_the_topic_itself()
    {
        // min.insync.replicas=2 from server.properties shows among describe's Configs, but it is
        // not the topic's own: declared, it is pinned on the topic.
        _dir.Write("broker-static.properties", "min.insync.replicas=2\n");
        Existing("orders", 6, 2);

        var result = Apply("""[{"name": "orders", "partitions": 6, "replicationFactor": 2, "config": {"min.insync.replicas": "2"}}]""");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(
            [$"kafka-configs.sh --bootstrap-server {OwnEndpoint} --command-config {AdminConfig} --alter --entity-type topics --entity-name orders --add-config min.insync.replicas=2"],
            Changes());
    }

    [Fact]
    public void A_name_with_a_dot_is_matched_literally_not_as_kafkas_topic_pattern()
    {
        Existing("ordersXv1", 3, 2);

        var result = Apply("""[{"name": "orders.v1", "partitions": 3, "replicationFactor": 2}]""");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains($@"kafka-topics.sh --bootstrap-server {OwnEndpoint} --command-config {AdminConfig} --describe --if-exists --topic orders\.v1", Calls());
        Assert.Equal(["created orders.v1 (partitions 3, replication factor 2)", "topics: orders.v1"], Lines(result));
        Assert.True(Exists("orders.v1"));

        Existing("orders.v1", 3, 2);
        var raise = Apply("""[{"name": "orders.v1", "partitions": 6, "replicationFactor": 2}]""");
        Assert.True(raise.ExitCode == 0, raise.Output);
        Assert.Contains($@"kafka-topics.sh --bootstrap-server {OwnEndpoint} --command-config {AdminConfig} --alter --topic orders\.v1 --partitions 6", Calls());
        Assert.Equal(3, PartitionsOf("ordersXv1"));
    }

    [Fact]
    public void A_name_of_249_characters_is_accepted()
    {
        var name = new string('a', 249);

        var result = Apply($$"""[{"name": "{{name}}", "partitions": 1, "replicationFactor": 1}]""");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.True(Exists(name));
    }

    private const string Valid = """{"name": "orders", "partitions": 6, "replicationFactor": 2}""";

    public static TheoryData<string, string> InvalidLists => new()
    {
        { "not base64!", "the argument is not base64" },
        { Base64("not json"), "the decoded argument is not JSON" },
        { Base64("""{"name": "orders", "partitions": 6, "replicationFactor": 2}"""), "expected a JSON array of topics" },
        { Base64($$"""[{{Valid}}, {"name": "..", "partitions": 1, "replicationFactor": 1}]"""), """topic "..": Kafka does not allow '.' or '..' as a topic name""" },
        { Base64("""[{"name": ".", "partitions": 1, "replicationFactor": 1}]"""), """topic ".": Kafka does not allow '.' or '..'""" },
        { Base64($$"""[{"name": "{{new string('x', 250)}}", "partitions": 1, "replicationFactor": 1}]"""), "(250 characters): the name is longer than Kafka's limit of 249 characters" },
        { Base64($$"""[{{Valid}}, {"name": "bad name", "partitions": 1, "replicationFactor": 1}]"""), """topic "bad name": the name may only hold ASCII letters, digits, '.', '_' and '-'""" },
        { Base64("""[{"name": "", "partitions": 1, "replicationFactor": 1}]"""), "entry 1: the topic name is empty" },
        { Base64($$"""[{{Valid}}, {{Valid}}]"""), """topic "orders": the topic is declared twice""" },
        { Base64("""[{"name": "a.b", "partitions": 1, "replicationFactor": 1}, {"name": "a_b", "partitions": 1, "replicationFactor": 1}]"""), """topic "a_b": the name collides with topic "a.b" """.TrimEnd() },
        { Base64("""[{"name": "__consumer_offsets", "partitions": 50, "replicationFactor": 2}]"""), "one of Kafka's internal topics" },
        { Base64("""[{"name": "orders", "partitions": 0, "replicationFactor": 2}]"""), """topic "orders": partitions must be between 1 and 2147483647, not 0""" },
        { Base64("""[{"name": "orders", "partitions": "6", "replicationFactor": 2}]"""), """topic "orders": partitions must be a whole number, not "6" """.TrimEnd() },
        { Base64("""[{"name": "orders", "partitions": 6, "replicationFactor": 1.5}]"""), """topic "orders": replicationFactor must be a whole number, not 1.5""" },
        { Base64("""[{"name": "orders", "partitions": 6}]"""), """topic "orders": partitions and replicationFactor are required""" },
        { Base64("""[{"name": "orders", "partitions": 6, "replication_factor": 2}]"""), """topic "orders": unknown field "replication_factor" """.TrimEnd() },
        { Base64("""[{"name": "orders", "partitions": 6, "replicationFactor": 2, "config": {"Retention.ms": "1"}}]"""), """config key "Retention.ms" may only hold lower-case letters, digits and '.'""" },
        { Base64("""[{"name": "orders", "partitions": 6, "replicationFactor": 2, "config": {"retention.ms": 604800000}}]"""), "config retention.ms must be a string" },
        { Base64("""[{"name": "orders", "partitions": 6, "replicationFactor": 2, "config": {"cleanup.policy": "compact\ndelete"}}]"""), "config cleanup.policy holds a control character" },
        { Base64("""[{"name": "orders", "partitions": 6, "replicationFactor": 2, "config": {"cleanup.policy": "[compact]"}}]"""), "config cleanup.policy holds '[' or ']'" },
        { Base64("""[{"name": "orders", "partitions": NaN, "replicationFactor": 2}]"""), "the decoded argument is not JSON" },
        { Base64("""[{"name": "orders", "partitions": 6, "partitions": 3, "replicationFactor": 2}]"""), "the key \"partitions\" appears twice" },
    };

    [Theory]
    [MemberData(nameof(InvalidLists))]
    public void An_invalid_list_exits_2_naming_the_problem_and_runs_no_tool(string argument, string problem)
    {
        var result = Run(argument);

        Assert.True(result.ExitCode == 2, result.Output);
        Assert.Contains("invalid topic list: ", result.Stderr);
        Assert.Contains(problem, result.Stderr);
        Assert.Empty(Calls());
        Assert.Equal("", result.Stdout);
    }

    [Theory]
    [InlineData]
    [InlineData("W10=", "W10=")]
    public void A_wrong_number_of_arguments_exits_2_and_runs_no_tool(params string[] args)
    {
        var result = Run(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("usage: kafka-topics-apply.sh TOPICS_BASE64", result.Stderr);
        Assert.Empty(Calls());
    }

    [Fact]
    public void The_list_is_data_and_never_run_as_shell()
    {
        var marker = _dir.Combine("pwned");

        var result = Apply($$$"""[{"name": "orders", "partitions": 1, "replicationFactor": 1, "config": {"retention.ms": "$(touch {{{marker}}})`touch {{{marker}}}`"}}]""");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.False(File.Exists(marker));
        Assert.Equal($"$(touch {marker})`touch {marker}`", ConfigOf("orders")["retention.ms"]);
    }

    [Fact]
    public void A_broker_that_does_not_answer_fails_before_anything_changes()
    {
        _dir.Write("broker-down", "");

        var result = Apply("""[{"name": "orders", "partitions": 6, "replicationFactor": 2}]""");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            ["failed: cannot describe topic orders: Error while executing topic command : Timed out waiting for a node assignment. Call: listTopics; nothing was changed"],
            Lines(result));
        Assert.Empty(Changes());
    }

    [Fact]
    public void Kafkas_tools_run_with_a_small_heap_and_a_temporary_log_dir_that_is_removed_afterwards()
    {
        Existing("orders", 3, 2);

        var result = Apply("""[{"name": "orders", "partitions": 6, "replicationFactor": 2}, {"name": "clicks", "partitions": 1, "replicationFactor": 1}]""");

        Assert.True(result.ExitCode == 0, result.Output);
        var runs = File.ReadAllLines(_dir.Combine("env.log"));
        Assert.Equal(Calls().Length, runs.Length);
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

        var result = ExternalTool.Run(shellcheck, ["--shell=bash", "--severity=style", _dir.Combine("topics.sh")]);

        Assert.True(result.ExitCode == 0, result.Output);
    }

    [Fact]
    public void The_dev_stacks_topics_as_the_library_encodes_them_are_created_and_a_rerun_changes_nothing()
    {
        // The same path as pulumi up: Pulumi.dev.yaml → ClusterSpec → the payload the driver sends.
        var stack = (System.Text.Json.Nodes.JsonObject)RepoFiles.ToJson(RepoFiles.LoadYaml("Pulumi.dev.yaml"))!["config"]!;
        var spec = ClusterSpecParser.Parse(new Dictionary<string, string> { [Settings.Topics] = stack["kraft-infra:topics"]!.ToJsonString() })
            .GetSpecOrThrow();

        var result = Run(TopicSpec.EncodePayload(spec.Topics));

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal("topics: orders,orders.dead-letter", Lines(result).Last());
        Assert.True(Exists("orders") && Exists("orders.dead-letter"));
        Assert.Equal(6, PartitionsOf("orders"));
        Assert.Equal("compact", ConfigOf("orders.dead-letter")["cleanup.policy"]);
        ForgetCalls();
        var again = Run(TopicSpec.EncodePayload(spec.Topics));
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Empty(Changes());
    }

    [Fact]
    public void Values_written_otherwise_than_kafka_prints_them_are_normalised_by_the_library_so_a_rerun_alters_nothing()
    {
        var spec = ClusterSpecParser.Parse(new Dictionary<string, string>
        {
            [Settings.KafkaVersion] = Release.Version,
            [Settings.Topics] = """[{"name": "orders", "replicationFactor": 2, "config": {"cleanup.policy": "compact, delete", "min.cleanable.dirty.ratio": "0.50"}}]""",
        }).GetSpecOrThrow();

        var first = Run(TopicSpec.EncodePayload(spec.Topics));
        ForgetCalls();
        var again = Run(TopicSpec.EncodePayload(spec.Topics));

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Equal("compact,delete", ConfigOf("orders")["cleanup.policy"]);
        Assert.Equal("0.5", ConfigOf("orders")["min.cleanable.dirty.ratio"]);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Empty(Changes());
    }

    [Fact]
    public void Without_the_librarys_normalising_the_same_values_would_be_altered_on_every_run()
    {
        // The control for the test above: the stand-in prints back as Kafka does, so raw values differ.
        Existing("orders", 1, 2, ("cleanup.policy", "compact,delete"));

        var result = Apply("""[{"name": "orders", "partitions": 1, "replicationFactor": 2, "config": {"cleanup.policy": "compact, delete"}}]""");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Single(Changes());
    }

    public void Dispose() => _dir.Dispose();
}

public sealed class TopicsScriptTests_3_7() : TopicsScriptTests(KafkaRelease.V3_7);

public sealed class TopicsScriptTests_3_8() : TopicsScriptTests(KafkaRelease.V3_8);

public sealed class TopicsScriptTests_3_9() : TopicsScriptTests(KafkaRelease.V3_9);

public sealed class TopicsScriptTests_4_0() : TopicsScriptTests(KafkaRelease.V4_0);

public sealed class TopicsScriptTests_Default() : TopicsScriptTests(KafkaRelease.Default);
