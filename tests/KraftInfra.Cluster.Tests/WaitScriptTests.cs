using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace KraftInfra.Cluster.Tests;

/// <summary>The broker's controller wait, run for real against listeners on loopback.</summary>
public sealed class WaitScriptTests : IDisposable
{
    private readonly ExternalTool.TempDir _dir = new();
    private readonly List<TcpListener> _listeners = [];
    private readonly int[] _ports;

    public WaitScriptTests()
    {
        ExternalTool.Require("bash", "bash");
        _ports = Enumerable.Range(0, 3).Select(_ => FreePort()).ToArray();
        var voters = string.Join(",", _ports.Select((port, i) => $"{i + 1}@127.0.0.1:{port}"));
        _dir.Write("server.properties", $"process.roles=broker\nnode.id=101\ncontroller.quorum.voters={voters}\n");
        _dir.Write("wait.sh", TemplateLibrary.Read(TemplateLibrary.WaitScript), executable: true);
        WriteEnv(timeoutSeconds: 120);
    }

    private void WriteEnv(int timeoutSeconds) =>
        _dir.Write("node.env", $"CONTROLLER_WAIT_TIMEOUT_SECONDS='{timeoutSeconds}'\n");

    private Process Start()
    {
        var start = new ProcessStartInfo(_dir.Combine("wait.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(_dir.Combine("server.properties"));
        start.Environment["KRAFT_NODE_ENV"] = _dir.Combine("node.env");
        start.Environment["KAFKA_HOME"] = _dir.Combine("kafka");
        start.Environment["KRAFT_WAIT_INTERVAL_SECONDS"] = "1";
        start.Environment["KRAFT_SECRETS_DIR"] = _dir.Combine("secrets");
        return Process.Start(start)!;
    }

    private void Listen(int voterIndex)
    {
        var listener = new TcpListener(IPAddress.Loopback, _ports[voterIndex]);
        listener.Start();
        _listeners.Add(listener);
    }

    private static (int ExitCode, string Output) Finish(Process process, int seconds)
    {
        if (!process.WaitForExit(seconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"the wait script was still waiting after {seconds}s");
        }
        return (process.ExitCode, process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd());
    }

    [Fact]
    public void It_waits_while_no_majority_of_controllers_answers_and_returns_once_one_does()
    {
        using var process = Start();

        Thread.Sleep(2500);
        Assert.False(process.HasExited, "returned although no controller listened");
        Listen(0);
        Thread.Sleep(2500);
        Assert.False(process.HasExited, "returned with one of three controllers listening");
        Listen(2);
        var (exitCode, output) = Finish(process, 20);

        Assert.Equal(0, exitCode);
        Assert.Contains("0 of 3 controllers answer (need 2)", output);
        Assert.Contains("1 of 3 controllers answer (need 2)", output);
        Assert.Contains("2 of 3 controllers answer", output);
        Assert.Contains("is not installed, so the leader is not checked", output);
    }

    [Fact]
    public void With_kafkas_quorum_tool_it_also_waits_for_a_leader()
    {
        // A stand-in kafka-metadata-quorum.sh: as Kafka's, it fails while no controller leads
        // (the reason, then a stack trace, on stderr) and prints the default release's
        // `describe --status` once the test creates the flag file.
        var flag = _dir.Combine("leader-elected");
        _dir.Write("answers/no-leader.err", KafkaRelease.QuorumTimeout);
        _dir.Write("answers/status.out", KafkaRelease.Default.QuorumStatus(2, [(1, "127.0.0.1:1"), (2, "127.0.0.1:2")], []));
        _dir.Write("kafka/bin/kafka-metadata-quorum.sh", $$"""
            #!/bin/bash
            echo "$*" >> "{{_dir.Combine("quorum-tool.log")}}"
            if [ ! -e "{{flag}}" ]; then
              echo "[2026-12-03 08:30:00,101] WARN [AdminClient clientId=adminclient-1] Connection to node -1 could not be established. (org.apache.kafka.clients.NetworkClient)" >&2
              cat "{{_dir.Combine("answers/no-leader.err")}}" >&2
              exit 1
            fi
            cat "{{_dir.Combine("answers/status.out")}}"
            """, executable: true);
        Listen(0);
        Listen(1);
        Listen(2);
        using var process = Start();

        Thread.Sleep(3000);
        Assert.False(process.HasExited, "returned although the controllers reported no leader");
        File.WriteAllText(flag, "");
        var (exitCode, output) = Finish(process, 20);

        Assert.Equal(0, exitCode);
        Assert.Contains("no quorum leader yet: org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeMetadataQuorum\n", output);
        Assert.Contains("node 2 leads the quorum", output);
        var call = File.ReadAllLines(_dir.Combine("quorum-tool.log")).Last();
        Assert.Matches($"^--bootstrap-controller 127.0.0.1:{_ports[0]},127.0.0.1:{_ports[1]},127.0.0.1:{_ports[2]} --command-config /[^ ]+ describe --status$", call);
    }

    private void SaslSslControllerListener() =>
        File.AppendAllText(_dir.Combine("server.properties"), "listener.security.protocol.map=CONTROLLER:SASL_SSL,CLIENT:SASL_SSL\n");

    [Fact]
    public void On_a_sasl_ssl_controller_listener_the_quorum_tool_authenticates_as_the_admin_from_the_boots_file()
    {
        SaslSslControllerListener();
        _dir.Write("secrets/admin-controller.properties", "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=plain-admin-secret\n");
        _dir.Write("answers/status.out", KafkaRelease.Default.QuorumStatus(1, [(1, "127.0.0.1:1"), (2, "127.0.0.1:2")], []));
        _dir.Write("kafka/bin/kafka-metadata-quorum.sh", $$"""
            #!/bin/bash
            echo "$*" >> "{{_dir.Combine("quorum-tool.log")}}"
            prev=""; for a in "$@"; do [ "$prev" = --command-config ] && cp "$a" "{{_dir.Combine("seen.properties")}}"; prev=$a; done
            cat "{{_dir.Combine("answers/status.out")}}"
            """, executable: true);
        Listen(0);
        Listen(1);
        using var process = Start();

        var (exitCode, output) = Finish(process, 20);

        Assert.True(exitCode == 0, output);
        var seen = File.ReadAllText(_dir.Combine("seen.properties"));
        Assert.Contains("security.protocol=SASL_SSL", seen);
        Assert.Contains("sasl.jaas.config=plain-admin-secret", seen);
        Assert.DoesNotContain("secret", File.ReadAllText(_dir.Combine("quorum-tool.log")));
    }

    [Fact]
    public void On_a_sasl_ssl_controller_listener_without_the_admins_file_it_fails_at_once_naming_it()
    {
        SaslSslControllerListener();
        _dir.Write("kafka/bin/kafka-metadata-quorum.sh", "#!/bin/bash\nexit 0\n", executable: true);
        using var process = Start();

        var (exitCode, output) = Finish(process, 20);

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"ERROR: {_dir.Combine("secrets")}/admin-controller.properties is missing: the controller listener is SASL_SSL", output);
    }

    [Fact]
    public void It_gives_up_after_its_timeout_with_a_non_zero_exit_and_says_why()
    {
        WriteEnv(timeoutSeconds: 2);
        Listen(1);
        using var process = Start();

        var (exitCode, output) = Finish(process, 30);

        Assert.Equal(1, exitCode);
        Assert.Contains("ERROR: gave up after", output);
        Assert.Contains("1 of 3 controllers answer, 2 and a leader are needed; systemd will retry", output);
    }

    [Fact]
    public void A_properties_file_without_voters_is_an_error()
    {
        _dir.Write("server.properties", "process.roles=broker\n");
        using var process = Start();

        var (exitCode, output) = Finish(process, 10);

        Assert.Equal(2, exitCode);
        Assert.Contains("names no controller.quorum.voters", output);
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public void Dispose()
    {
        foreach (var listener in _listeners)
            listener.Stop();
        _dir.Dispose();
    }
}
