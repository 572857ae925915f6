using System.Diagnostics;

namespace KraftInfra.Cluster.Tests;

/// <summary>
/// ssm-run-command.sh run for real, the way Pulumi starts it (bash -c "&lt;script text&gt;"), against
/// a stand-in aws CLI first on PATH. The stand-in answers like `aws ssm ... --output text` from
/// files in a temporary folder: for each instance, how many describe-instance-information calls
/// still find its agent offline; for each command sent, the statuses its invocation goes through
/// and the node's stdout and stderr. It logs every call's argv, and the AWS_PROFILE and AWS_REGION
/// it saw, one line per call.
/// </summary>
public sealed class SsmDriverTests : IDisposable
{
    private const string Broker = "i-0abc1234def567890";
    private const string Controller = "i-0def1234abc567890";
    private const string ReadyDocument = "kraft-readiness-ready-script-1a2b3c4";

    /// <summary>How the driver names what it runs, in its log lines.</summary>
    private const string ReadyScript = "document " + ReadyDocument;
    private const char Separator = '\x1f';

    private readonly ExternalTool.TempDir _dir = new();
    private readonly string _bash;

    public SsmDriverTests()
    {
        _bash = ExternalTool.Require("bash", "bash");
        _dir.Write("fake/aws", $$"""
            #!/bin/bash
            # stand-in aws CLI (see SsmDriverTests): answers from {{_dir.Path}}, logs every call
            state="{{_dir.Path}}"
            (IFS=$'\x1f'; printf '%s\n' "$*") >> "$state/calls.log"
            printf '%s\x1f%s\n' "${AWS_PROFILE-<unset>}" "${AWS_REGION-<unset>}" >> "$state/env.log"
            # count NAME: adds one to the counter in file NAME and prints it
            count() { local n; n=$(( $(cat "$1" 2>/dev/null || echo 0) + 1 )); echo "$n" > "$1"; echo "$n"; }
            op="$1 $2"; shift 2
            query=""; command_id=""; filters=""
            while [ $# -gt 0 ]; do
              case "$1" in
                --query) query=$2; shift 2 ;;
                --command-id) command_id=$2; shift 2 ;;
                --filters) filters=$2; shift 2 ;;
                --*) shift 2 ;;
                *) shift ;;
              esac
            done
            case "$op" in
              "ssm describe-instance-information")
                n=$(count "$state/describes")
                if [ -f "$state/describe-error" ]; then cat "$state/describe-error" >&2; exit 254; fi
                online=()
                IFS=, read -r -a ids <<< "${filters#Key=InstanceIds,Values=}"
                for id in "${ids[@]}"; do
                  # agent/<id>: how many calls still find that agent offline; no file: never online
                  if [ -f "$state/agent/$id" ] && [ "$n" -gt "$(cat "$state/agent/$id")" ]; then online+=("$id"); fi
                done
                if [ ${#online[@]} -gt 0 ]; then (IFS=$'\t'; printf '%s\n' "${online[*]}"); fi
                ;;
              "ssm send-command")
                printf '00000000-0000-0000-0000-%012d\n' "$(count "$state/sends")"
                ;;
              "ssm get-command-invocation")
                n=$(( 10#${command_id##*-} ))
                inv="$state/invocations/$n"
                [ -d "$inv" ] || inv="$state/invocations/default"
                case "$query" in
                  Status)
                    polls=$(count "$state/polls-$n")
                    status=$(sed -n "${polls}p" "$inv/statuses")
                    [ -n "$status" ] || status=$(tail -n 1 "$inv/statuses")
                    if [ "$status" = InvocationDoesNotExist ]; then
                      echo "An error occurred (InvocationDoesNotExist) when calling the GetCommandInvocation operation: " >&2
                      exit 254
                    fi
                    echo "$status"
                    ;;
                  StandardOutputContent) cat "$inv/stdout"; echo ;;
                  StandardErrorContent) cat "$inv/stderr"; echo ;;
                  *) echo "stand-in aws: unexpected --query $query" >&2; exit 252 ;;
                esac
                ;;
              "ssm cancel-command") ;;
              *) echo "stand-in aws: unexpected call $op" >&2; exit 252 ;;
            esac
            """, executable: true);
    }

    /// <summary>The agent of <paramref name="instance"/> is offline for that many describe calls, then Online.</summary>
    private void AgentOnlineAfter(string instance, int offlineCalls) => _dir.Write($"agent/{instance}", offlineCalls.ToString());

    /// <summary>The invocation of the <paramref name="send"/>th command sent (or of every other one: "default").</summary>
    private void Invocation(string send, string[] statuses, string stdout = "", string stderr = "")
    {
        _dir.Write($"invocations/{send}/statuses", string.Join('\n', statuses) + "\n");
        _dir.Write($"invocations/{send}/stdout", stdout);
        _dir.Write($"invocations/{send}/stderr", stderr);
    }

    private Dictionary<string, string> Environment(Dictionary<string, string>? overrides = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = _dir.Combine("fake") + ":" + System.Environment.GetEnvironmentVariable("PATH"),
            ["AWS_REGION"] = "eu-west-1",
            ["AWS_PROFILE"] = "kraft",
            ["KRAFT_INSTANCE_IDS"] = $"{Controller} {Broker}",
            ["KRAFT_TARGET_INSTANCE_ID"] = Broker,
            ["KRAFT_DOCUMENT_NAME"] = ReadyDocument,
            ["KRAFT_DOCUMENT_PARAMETER"] = "brokerIds",
            ["KRAFT_REMOTE_ARGUMENT"] = "1,2,3",
            ["KRAFT_TIMEOUT_SECONDS"] = "60",
            ["KRAFT_RETRY_UNTIL_SUCCESS"] = "false",
            ["KRAFT_RETRY_INTERVAL_SECONDS"] = "0",
            ["KRAFT_POLL_INTERVAL_SECONDS"] = "0",
            ["KRAFT_DESCRIPTION"] = "check the brokers",
        };
        foreach (var (key, value) in overrides ?? [])
            environment[key] = value;
        return environment;
    }

    /// <summary>Runs the script as Pulumi does: bash -c "&lt;script text&gt;", every input in the environment.</summary>
    private ExternalTool.Result Drive(Dictionary<string, string>? overrides = null) => ExternalTool.Run(
        _bash, ["-c", TemplateLibrary.Read(TemplateLibrary.SsmDriverScript)], environment: Environment(overrides), timeoutSeconds: 60);

    /// <summary>Every aws call, as its argv.</summary>
    private string[][] Calls() => File.Exists(_dir.Combine("calls.log"))
        ? File.ReadAllLines(_dir.Combine("calls.log")).Select(line => line.Split(Separator)).ToArray()
        : [];

    private string[] Operations() => Calls().Select(argv => argv[1]).ToArray();

    private string[] SendCall() => Assert.Single(Calls(), argv => argv[1] == "send-command");

    private void AllOnline()
    {
        AgentOnlineAfter(Controller, 0);
        AgentOnlineAfter(Broker, 0);
    }

    [Fact]
    public void The_command_is_sent_only_once_every_instance_reports_its_ssm_agent_online()
    {
        AgentOnlineAfter(Broker, 0);
        AgentOnlineAfter(Controller, 2);
        Invocation("1", ["Success"], "ready\n");

        var result = Drive();

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(
            ["describe-instance-information", "describe-instance-information", "describe-instance-information",
             "send-command", "get-command-invocation", "get-command-invocation", "get-command-invocation"],
            Operations());
        Assert.Equal(
            ["ssm", "describe-instance-information", "--filters", $"Key=InstanceIds,Values={Controller},{Broker}",
             "--query", "InstanceInformationList[?PingStatus=='Online'].InstanceId", "--output", "text"],
            Calls()[0]);
        Assert.Contains($"waiting for the SSM agent: 1 of 2 online ({Controller} not yet)", result.Stderr);
        Assert.Contains("the SSM agent is online on all 2 instances", result.Stderr);
    }

    [Fact]
    public void A_target_missing_from_the_instance_list_is_waited_for_too()
    {
        AgentOnlineAfter(Controller, 0);
        AgentOnlineAfter(Broker, 1);
        Invocation("1", ["Success"], "ready\n");

        var result = Drive(new() { ["KRAFT_INSTANCE_IDS"] = Controller });

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal($"Key=InstanceIds,Values={Controller},{Broker}", Calls()[0][3]);
        Assert.Equal(["describe-instance-information", "describe-instance-information", "send-command"], Operations()[..3]);
    }

    [Fact]
    public void Instance_ids_may_be_separated_by_spaces_commas_or_both_and_each_is_asked_about_once()
    {
        AllOnline();
        AgentOnlineAfter("i-0123abcd", 0);
        Invocation("1", ["Success"]);

        var result = Drive(new() { ["KRAFT_INSTANCE_IDS"] = $"{Broker}, {Controller}\n\ti-0123abcd,,{Broker} " });

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal($"Key=InstanceIds,Values={Broker},{Controller},i-0123abcd", Calls()[0][3]);
        Assert.Contains("the SSM agent is online on all 3 instances", result.Stderr);
    }

    [Fact]
    public void On_success_the_nodes_stdout_is_the_scripts_stdout_exactly_and_the_exit_code_is_0()
    {
        AllOnline();
        const string nodeStdout = "brokers registered: 1 2 3\n  leader: 1\n\n";
        Invocation("1", ["InvocationDoesNotExist", "Pending", "InProgress", "Delayed", "InProgress", "Success"], nodeStdout, "a warning on stderr\n");

        var result = Drive();

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(nodeStdout, result.Stdout);
        Assert.DoesNotContain("a warning on stderr", result.Stdout);
        var invocationCalls = Calls().Where(argv => argv[1] == "get-command-invocation").ToArray();
        Assert.Equal(8, invocationCalls.Length);
        Assert.Equal(
            ["ssm", "get-command-invocation", "--command-id", "00000000-0000-0000-0000-000000000001", "--instance-id", Broker,
             "--query", "Status", "--output", "text"],
            invocationCalls[0]);
        Assert.Equal(["StandardOutputContent", "StandardErrorContent"], invocationCalls[6..].Select(argv => argv[7]));
    }

    [Fact]
    public void A_command_that_fails_on_the_node_shows_the_nodes_output_and_exits_1()
    {
        AllOnline();
        Invocation("1", ["InProgress", "Failed"], "checking the quorum\n",
            "broker 3 is not registered\nfailed to run commands: exit status 1\n");

        var result = Drive();

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("checking the quorum", result.Stderr);
        Assert.Contains("broker 3 is not registered", result.Stderr);
        Assert.Contains($"kraft-infra: {ReadyScript} failed on {Broker}: broker 3 is not registered\n", result.Stderr);
        Assert.Single(Operations(), op => op == "send-command");
    }

    [Fact]
    public void A_failure_without_stderr_is_summed_up_by_the_last_line_of_the_nodes_stdout()
    {
        AllOnline();
        Invocation("1", ["TimedOut"], "step one\nstep two\n");

        var result = Drive();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("ended with status TimedOut", result.Stderr);
        Assert.Contains($"kraft-infra: {ReadyScript} failed on {Broker}: step two\n", result.Stderr);
    }

    [Fact]
    public void In_retry_mode_a_command_that_fails_on_the_node_is_sent_again_until_it_succeeds()
    {
        AllOnline();
        Invocation("1", ["InProgress", "Failed"], "not ready: broker 3 is not registered\n", "failed to run commands: exit status 1\n");
        Invocation("2", ["Pending", "Success"], "ready: 3 brokers\n");

        var result = Drive(new() { ["KRAFT_RETRY_UNTIL_SUCCESS"] = "true", ["KRAFT_RETRY_INTERVAL_SECONDS"] = "1" });

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal("ready: 3 brokers\n", result.Stdout);
        Assert.Contains("not yet: not ready: broker 3 is not registered", result.Stderr);
        Assert.Equal(2, Operations().Count(op => op == "send-command"));
        Assert.Equal("00000000-0000-0000-0000-000000000002", Calls().Last()[3]);
    }

    [Fact]
    public void Without_retry_mode_a_failure_is_not_sent_again()
    {
        AllOnline();
        Invocation("1", ["Failed"], "not ready: no quorum leader\n");
        Invocation("2", ["Success"], "ready\n");

        var result = Drive();

        Assert.Equal(1, result.ExitCode);
        Assert.Single(Operations(), op => op == "send-command");
        Assert.Contains($"failed on {Broker}: not ready: no quorum leader", result.Stderr);
    }

    [Fact]
    public void When_an_agent_never_comes_online_it_gives_up_at_the_deadline_and_says_what_it_waited_for()
    {
        AgentOnlineAfter(Broker, 0);
        var clock = Stopwatch.StartNew();

        var result = Drive(new() { ["KRAFT_TIMEOUT_SECONDS"] = "2", ["KRAFT_POLL_INTERVAL_SECONDS"] = "1" });

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("gave up after", result.Stderr);
        Assert.Contains($"(KRAFT_TIMEOUT_SECONDS=2) waiting for the SSM agent to be Online on 2 instances: 1 of 2 online, never {Controller}", result.Stderr);
        Assert.DoesNotContain("send-command", Operations());
    }

    [Fact]
    public void A_command_stuck_in_progress_is_given_up_at_the_deadline_and_cancelled()
    {
        AllOnline();
        Invocation("1", ["Pending", "InProgress"]);
        var clock = Stopwatch.StartNew();

        var result = Drive(new() { ["KRAFT_TIMEOUT_SECONDS"] = "2", ["KRAFT_POLL_INTERVAL_SECONDS"] = "1" });

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains(
            $"(KRAFT_TIMEOUT_SECONDS=2) waiting for {ReadyScript} on {Broker} to finish: command 00000000-0000-0000-0000-000000000001 was still InProgress and is cancelled",
            result.Stderr);
        Assert.Equal(
            ["ssm", "cancel-command", "--command-id", "00000000-0000-0000-0000-000000000001", "--instance-ids", Broker],
            Calls().Last());
    }

    [Fact]
    public void In_retry_mode_a_script_that_never_succeeds_is_given_up_at_the_deadline_with_its_last_answer()
    {
        AllOnline();
        Invocation("default", ["Failed"], "not ready: no quorum leader\n");
        var clock = Stopwatch.StartNew();

        var result = Drive(new()
        {
            ["KRAFT_RETRY_UNTIL_SUCCESS"] = "true",
            ["KRAFT_RETRY_INTERVAL_SECONDS"] = "1",
            ["KRAFT_TIMEOUT_SECONDS"] = "3",
        });

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Equal(1, result.ExitCode);
        Assert.True(Operations().Count(op => op == "send-command") >= 2, result.Output);
        Assert.Contains($"waiting for {ReadyScript} to succeed on {Broker}", result.Stderr);
        Assert.Contains("failed, the last with: not ready: no quorum leader", result.Stderr);
    }

    [Fact]
    public void Values_with_spaces_and_quotes_reach_aws_intact_through_the_environment()
    {
        AllOnline();
        Invocation("1", ["Success"], "ready\n");
        const string profile = "team a's \"profile\"";
        const string region = "eu-west-1 \"quoted\" 'too'";
        const string description = "check \"ready\" on the broker's node; $(not run) `nor this`";

        var result = Drive(new() { ["AWS_PROFILE"] = profile, ["AWS_REGION"] = region, ["KRAFT_DESCRIPTION"] = description });

        Assert.True(result.ExitCode == 0, result.Output);
        var seen = File.ReadAllLines(_dir.Combine("env.log"));
        Assert.Equal(Calls().Length, seen.Length);
        Assert.All(seen, line => Assert.Equal($"{profile}{Separator}{region}", line));
        var send = SendCall();
        Assert.Equal(description, send[Array.IndexOf(send, "--comment") + 1]);
        Assert.Contains(description, result.Stderr);
    }

    [Fact]
    public void The_comment_is_cut_to_the_100_characters_ssm_keeps()
    {
        AllOnline();
        Invocation("1", ["Success"]);
        var description = string.Concat(Enumerable.Repeat("0123456789", 15));

        var result = Drive(new() { ["KRAFT_DESCRIPTION"] = description });

        Assert.True(result.ExitCode == 0, result.Output);
        var send = SendCall();
        Assert.Equal(description[..100], send[Array.IndexOf(send, "--comment") + 1]);
    }

    [Theory]
    [InlineData("--dry-run please", "kraft-infra --dry-run please")]
    [InlineData("file:///etc/passwd", "kraft-infra file:///etc/passwd")]
    [InlineData("brokers ready \u2713\nnext line", "brokers ready ????next line")]
    public void A_comment_the_aws_cli_would_take_as_an_option_or_a_file_or_that_is_not_printable_ascii_is_made_safe(
        string description, string comment)
    {
        AllOnline();
        Invocation("1", ["Success"]);

        var result = Drive(new() { ["KRAFT_DESCRIPTION"] = description });

        Assert.True(result.ExitCode == 0, result.Output);
        var send = SendCall();
        Assert.Equal(comment, send[Array.IndexOf(send, "--comment") + 1]);
    }

    [Fact]
    public void The_node_runs_the_newest_version_of_the_document_with_exactly_its_one_parameter()
    {
        AllOnline();
        Invocation("1", ["Success"], "applied\n");
        const string document = "kraft-readiness-topics-script-9f8e7d6";
        const string argument = "dG9waWNzOgogIC0gb3JkZXJz+/8=";

        var result = Drive(new() { ["KRAFT_DOCUMENT_NAME"] = document, ["KRAFT_DOCUMENT_PARAMETER"] = "topics", ["KRAFT_REMOTE_ARGUMENT"] = argument });

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(
            ["ssm", "send-command", "--document-name", document, "--document-version", "$LATEST", "--instance-ids", Broker,
             "--comment", "check the brokers", "--parameters", $$"""{"topics":["{{argument}}"]}""",
             "--query", "Command.CommandId", "--output", "text"],
            SendCall());
    }

    [Fact]
    public void An_empty_argument_reaches_the_document_as_an_empty_value()
    {
        AllOnline();
        Invocation("1", ["Success"]);

        var result = Drive(new() { ["KRAFT_REMOTE_ARGUMENT"] = "" });

        Assert.True(result.ExitCode == 0, result.Output);
        var send = SendCall();
        Assert.Equal("""{"brokerIds":[""]}""", send[Array.IndexOf(send, "--parameters") + 1]);
    }

    [Theory]
    [InlineData("KRAFT_REMOTE_ARGUMENT", "x; rm -rf /")]
    [InlineData("KRAFT_REMOTE_ARGUMENT", "$(reboot)")]
    [InlineData("KRAFT_REMOTE_ARGUMENT", "a b")]
    [InlineData("KRAFT_REMOTE_ARGUMENT", "abc\"]}")]
    [InlineData("KRAFT_TARGET_INSTANCE_ID", "i-0abc1234; reboot")]
    [InlineData("KRAFT_TARGET_INSTANCE_ID", "i-0ABC1234")]
    [InlineData("KRAFT_TARGET_INSTANCE_ID", "")]
    [InlineData("KRAFT_INSTANCE_IDS", "i-0def1234abc567890 i-0abc1234`id`")]
    [InlineData("KRAFT_INSTANCE_IDS", "i-0def1234abc567890,mi-0abc1234def567890")]
    [InlineData("KRAFT_DOCUMENT_NAME", "")]
    [InlineData("KRAFT_DOCUMENT_NAME", "ready; reboot")]
    [InlineData("KRAFT_DOCUMENT_NAME", "doc\",\"x")]
    [InlineData("KRAFT_DOCUMENT_PARAMETER", "")]
    [InlineData("KRAFT_DOCUMENT_PARAMETER", "broker\"Ids")]
    [InlineData("KRAFT_TIMEOUT_SECONDS", "soon")]
    [InlineData("KRAFT_TIMEOUT_SECONDS", "0")]
    [InlineData("KRAFT_RETRY_UNTIL_SUCCESS", "yes")]
    [InlineData("KRAFT_POLL_INTERVAL_SECONDS", "-1")]
    [InlineData("KRAFT_RETRY_INTERVAL_SECONDS", "1.5")]
    [InlineData("KRAFT_POLL_INTERVAL_SECONDS", "08")]
    public void An_invalid_value_is_refused_with_exit_2_naming_it_before_any_aws_call(string variable, string value)
    {
        AllOnline();

        var result = Drive(new() { [variable] = value });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"invalid {variable}='", result.Stderr);
        Assert.Contains(value, result.Stderr);
        Assert.Empty(Calls());
    }

    [Fact]
    public void Without_aws_region_it_is_refused_with_exit_2_before_any_aws_call()
    {
        var result = Drive(new() { ["AWS_REGION"] = "" });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("AWS_REGION is not set", result.Stderr);
        Assert.Empty(Calls());
    }

    [Fact]
    public void Without_the_aws_cli_on_path_it_exits_2_saying_it_is_needed_where_pulumi_up_runs()
    {
        // A PATH with the ordinary tools the script uses, and no aws.
        Directory.CreateDirectory(_dir.Combine("bin"));
        foreach (var tool in new[] { "tr", "cat", "grep", "tail", "mktemp", "rm", "sleep" })
            File.CreateSymbolicLink(_dir.Combine("bin", tool), ExternalTool.Require(tool, "coreutils"));

        var result = Drive(new() { ["PATH"] = _dir.Combine("bin") });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("the AWS CLI (aws, version 2) is needed on the machine that runs pulumi up", result.Stderr);
        Assert.Empty(Calls());
    }

    [Fact]
    public void Any_other_aws_error_stops_it_at_once_with_the_aws_message()
    {
        _dir.Write("describe-error",
            "An error occurred (AccessDeniedException) when calling the DescribeInstanceInformation operation: not authorized\n");
        var clock = Stopwatch.StartNew();

        var result = Drive(new() { ["KRAFT_POLL_INTERVAL_SECONDS"] = "5" });

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("(AccessDeniedException) when calling the DescribeInstanceInformation operation: not authorized", result.Stderr);
        Assert.Contains("aws ssm describe-instance-information failed (exit 254)", result.Stderr);
        Assert.Equal(["describe-instance-information"], Operations());
    }

    [Fact]
    public void The_script_passes_shellcheck()
    {
        var shellcheck = ExternalTool.Require("shellcheck", "shellcheck");
        var script = _dir.Write("ssm-run-command.sh", TemplateLibrary.Read(TemplateLibrary.SsmDriverScript));

        var result = ExternalTool.Run(shellcheck, ["--shell=bash", "--severity=style", script]);

        Assert.True(result.ExitCode == 0, result.Output);
    }

    public void Dispose() => _dir.Dispose();
}
