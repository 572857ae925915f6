using System.Text;

namespace KraftInfra.Cluster.Tests;

/// <summary>
/// kafka-users-apply.sh, the SSM step that sets declared users' SCRAM credentials and ACLs, run
/// for real with bash against stand-in kafka-configs.sh and kafka-acls.sh (they log their argv and
/// save the files they were given) and a stand-in fetch-parameter (a file per parameter). Failures
/// print what Kafka's ConfigCommand and AclCommand print (3.7 to 4.1 alike: ConfigCommand's
/// generic error on stderr with the stack trace, AclCommand's on stdout).
/// </summary>
public sealed class UsersScriptTests : IDisposable
{
    private const string OwnEndpoint = "10.42.0.30:9092";
    private const string OrdersPassword = "orders-Pa55word-0123456789";
    private const string AuditPassword = "audit+Pa55word!9876543210";

    private readonly ExternalTool.TempDir _dir = new();
    private readonly ClusterSpec _spec = Clusters.Spec((Settings.Users, """
        [{"name": "orders-app", "acls": [
            {"resource": "topic", "name": "orders", "pattern": "literal", "operations": ["Read", "Write"]},
            {"resource": "group", "name": "orders-", "pattern": "prefixed", "operations": ["Read"]}]},
         {"name": "audit", "acls": [{"resource": "cluster", "operations": ["Describe"]}]}]
        """));

    public UsersScriptTests()
    {
        ExternalTool.Require("bash", "bash");
        ExternalTool.Require("python3", "python3");
        _dir.Write("server.properties", $"""
            process.roles=broker
            node.id=101
            listeners=CLIENT://{OwnEndpoint}
            advertised.listeners=CLIENT://{OwnEndpoint}
            listener.security.protocol.map=CONTROLLER:SASL_SSL,CLIENT:SASL_SSL

            """);
        _dir.Write("secrets/admin-client.properties", "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=scram-admin-secret\n");
        _dir.Write("secrets/admin-controller.properties", "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=plain-admin-secret\n");
        _dir.Write("users.sh", TemplateLibrary.Read(TemplateLibrary.UsersScript));
        _dir.Write(TemplateLibrary.ToolsLibrary, TemplateLibrary.Read(TemplateLibrary.ToolsLibrary));
        _dir.Write("fetch-parameter", """
            #!/bin/bash
            file="$KRAFT_TEST_PARAMS$1"
            if [ ! -f "$file" ]; then
              echo "fetch-parameter: ERROR: could not read $1 from Parameter Store with the instance role: ParameterNotFound: no message" >&2
              exit 1
            fi
            cat "$file"
            """, executable: true);
        Password("orders-app", OrdersPassword);
        Password("audit", AuditPassword);
        StandIn("kafka-configs.sh", $$"""
            if [ -f "{{_dir.Combine("fail-configs")}}" ]; then
              echo "Error while executing config command with args '$*'" >&2
              printf 'java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: alterUserScramCredentials\n\tat java.base/java.util.concurrent.CompletableFuture.reportGet(CompletableFuture.java:396)\nCaused by: org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: alterUserScramCredentials\n' >&2
              exit 1
            fi
            echo "Completed updating config for user $6."
            """);
        StandIn("kafka-acls.sh", $$"""
            if [ -f "{{_dir.Combine("fail-acls")}}" ]; then
              echo "Error while executing ACL command: org.apache.kafka.common.errors.SecurityDisabledException: No Authorizer is configured."
              printf 'java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.SecurityDisabledException: No Authorizer is configured.\n\tat java.base/java.util.concurrent.CompletableFuture.reportGet(CompletableFuture.java:396)\nCaused by: org.apache.kafka.common.errors.SecurityDisabledException: No Authorizer is configured.\n'
              exit 1
            fi
            """);
    }

    public void Dispose() => _dir.Dispose();

    private void Password(string user, string password) =>
        _dir.Write("params" + ClusterSecurity.UserPasswordParameter(_spec, user), password);

    /// <summary>A stand-in: logs its argv to calls.log, saves each file option's file as seen.N.OPTION, then runs BODY.</summary>
    private void StandIn(string tool, string body) => _dir.Write($"kafka/bin/{tool}", $$"""
        #!/bin/bash
        printf '%s\n' "{{tool}} $*" >> "{{_dir.Combine("calls.log")}}"
        call=$(wc -l < "{{_dir.Combine("calls.log")}}")
        prev=""
        for a in "$@"; do
          case "$prev" in --command-config|--add-config-file) cp "$a" "{{_dir.Combine("seen")}}.$call${prev}" ;; esac
          prev=$a
        done
        mkdir -p "$LOG_DIR"
        {{body}}
        """, executable: true);

    private ExternalTool.Result Run(params string[] args) => ExternalTool.Run("bash", [_dir.Combine("users.sh"), .. args],
        environment: new Dictionary<string, string>
        {
            ["KAFKA_HOME"] = _dir.Combine("kafka"),
            ["KRAFT_KAFKA_CONFIG"] = _dir.Combine("server.properties"),
            ["KRAFT_SECRETS_DIR"] = _dir.Combine("secrets"),
            ["KRAFT_FETCH_PARAMETER"] = _dir.Combine("fetch-parameter"),
            ["KRAFT_TEST_PARAMS"] = _dir.Combine("params"),
            ["TMPDIR"] = Directory.CreateDirectory(_dir.Combine("tmp")).FullName,
        });

    private ExternalTool.Result Apply() => Run(UserList.Base64(_spec));

    private string[] Calls() => File.Exists(_dir.Combine("calls.log"))
        ? File.ReadAllLines(_dir.Combine("calls.log"))
            .Select(c => System.Text.RegularExpressions.Regex.Replace(c, "(--command-config|--add-config-file) [^ ]+/([a-z.-]+)", "$1 <$2>"))
            .ToArray()
        : [];

    private string Seen(int call, string option) => File.ReadAllText(_dir.Combine($"seen.{call}{option}"));

    [Fact]
    public void Each_declared_user_gets_its_scram_credential_through_this_broker_as_the_admin()
    {
        var result = Apply();

        Assert.True(result.ExitCode == 0, result.Output);
        var calls = Calls();
        Assert.Equal($"kafka-configs.sh --bootstrap-server {OwnEndpoint} --command-config <admin.properties> --alter --entity-type users --entity-name orders-app --add-config-file <scram.properties>", calls[0]);
        Assert.Equal("SCRAM-SHA-512=iterations=4096,password=" + OrdersPassword + "\n", Seen(1, "--add-config-file"));
        Assert.Contains("sasl.jaas.config=scram-admin-secret", Seen(1, "--command-config"));
        var audit = Array.FindIndex(calls, c => c.Contains("--entity-name audit")) + 1;
        Assert.Equal("SCRAM-SHA-512=iterations=4096,password=" + AuditPassword + "\n", Seen(audit, "--add-config-file"));
        Assert.Equal(
        [
            "user orders-app: SCRAM-SHA-512 credential set; 2 ACL(s) added or already there",
            "user audit: SCRAM-SHA-512 credential set; 1 ACL(s) added or already there",
            "users: orders-app,audit",
        ], result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void No_password_reaches_a_command_line_or_the_output_and_none_is_left_on_disk()
    {
        var result = Apply();

        Assert.True(result.ExitCode == 0, result.Output);
        foreach (var password in new[] { OrdersPassword, AuditPassword })
        {
            Assert.DoesNotContain(password, File.ReadAllText(_dir.Combine("calls.log")));
            Assert.DoesNotContain(password, result.Output);
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Combine("tmp")));
    }

    [Fact]
    public void Declared_acls_are_added_for_the_users_principal_with_kafka_acls_options()
    {
        var result = Apply();

        Assert.True(result.ExitCode == 0, result.Output);
        var acls = Calls().Where(c => c.StartsWith("kafka-acls.sh", StringComparison.Ordinal)).ToArray();
        Assert.Equal(
        [
            $"kafka-acls.sh --bootstrap-server {OwnEndpoint} --command-config <admin.properties> --add --allow-principal User:orders-app --operation Read --operation Write --topic orders --resource-pattern-type literal",
            $"kafka-acls.sh --bootstrap-server {OwnEndpoint} --command-config <admin.properties> --add --allow-principal User:orders-app --operation Read --group orders- --resource-pattern-type prefixed",
            $"kafka-acls.sh --bootstrap-server {OwnEndpoint} --command-config <admin.properties> --add --allow-principal User:audit --operation Describe --cluster",
        ], acls);
    }

    [Fact]
    public void A_password_parameter_that_cannot_be_read_fails_naming_the_user_and_the_parameter()
    {
        File.Delete(_dir.Combine("params" + ClusterSecurity.UserPasswordParameter(_spec, "audit")));

        var result = Apply();

        Assert.Equal(1, result.ExitCode);
        var parameter = ClusterSecurity.UserPasswordParameter(_spec, "audit");
        Assert.Contains($"failed: user audit: {parameter} could not be read: fetch-parameter: ERROR: could not read {parameter} from Parameter Store with the instance role: ParameterNotFound: no message", result.Stdout);
        Assert.DoesNotContain(Calls(), c => c.Contains("--entity-name audit"));
    }

    [Fact]
    public void A_password_changed_by_hand_into_one_the_properties_file_would_break_is_refused()
    {
        Password("audit", "with\\backslash-0123456789");

        var result = Apply();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"failed: user audit: {ClusterSecurity.UserPasswordParameter(_spec, "audit")} does not hold 16 to 128 printable ASCII characters", result.Stdout);
        Assert.DoesNotContain("backslash", result.Output);
    }

    [Fact]
    public void When_kafka_configs_fails_the_step_fails_with_kafkas_reason()
    {
        File.WriteAllText(_dir.Combine("fail-configs"), "");

        var result = Apply();

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("failed: user orders-app: kafka-configs.sh --alter could not set the SCRAM-SHA-512 credential: "
                     + "java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: alterUserScramCredentials",
            result.Stdout.Trim());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Combine("tmp")));
    }

    [Fact]
    public void When_kafka_acls_fails_the_step_fails_with_kafkas_reason_from_its_stdout()
    {
        File.WriteAllText(_dir.Combine("fail-acls"), "");

        var result = Apply();

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("failed: user orders-app: kafka-acls.sh --add --topic orders --resource-pattern-type literal failed: "
                     + "Error while executing ACL command: org.apache.kafka.common.errors.SecurityDisabledException: No Authorizer is configured.",
            result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last());
    }

    [Theory]
    [InlineData("""[{"name": "admin", "parameter": "/kraft-infra/kraft/users/admin", "acls": []}]""", "\"admin\" is not a user name kraft-infra sets")]
    [InlineData("""[{"name": "a b", "parameter": "/kraft-infra/kraft/users/a", "acls": []}]""", "\"a b\" is not a user name kraft-infra sets")]
    [InlineData("""[{"name": "x", "parameter": "/etc/shadow", "acls": []}]""", "\"/etc/shadow\" is not a kraft-infra user parameter name")]
    [InlineData("""[{"name": "x", "parameter": "/kraft-infra/kraft/users/x", "acls": [{"resource": "topic", "name": "t", "operations": ["ClusterAction"]}]}]""", "operations [\"ClusterAction\"] are not all topic operations")]
    [InlineData("""{"name": "x"}""", "not a JSON array")]
    public void A_list_kraft_infra_would_not_send_is_refused_before_any_tool_runs(string json, string expected)
    {
        var result = Run(Convert.ToBase64String(Encoding.UTF8.GetBytes(json)));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("kafka-users-apply: invalid user list: ", result.Stderr);
        Assert.Contains(expected, result.Stderr);
        Assert.Empty(Calls());
    }

    [Fact]
    public void On_plaintext_listeners_there_are_no_users_to_set()
    {
        File.WriteAllText(_dir.Combine("server.properties"), $"process.roles=broker\nlisteners=CLIENT://{OwnEndpoint}\nlistener.security.protocol.map=CONTROLLER:PLAINTEXT,CLIENT:PLAINTEXT\n");

        var result = Apply();

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("the listeners are not SASL_SSL, so there are no users to set", result.Stderr);
        Assert.Empty(Calls());
    }
}
