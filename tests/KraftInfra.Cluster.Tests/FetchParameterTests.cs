using System.Diagnostics;
using System.Text.Json;

namespace KraftInfra.Cluster.Tests;

/// <summary>
/// fetch-parameter, the nodes' only way to a secret, run for real against a stand-in instance
/// metadata service and SSM endpoint (StandIns/aws-stand-in.py) that checks every request's SigV4
/// signature with botocore, the AWS SDK's own signer.
/// </summary>
public sealed class FetchParameterTests : IDisposable
{
    private const string Parameter = "/kraft-infra/kraft/admin-password";
    private const string Value = "Q7fXk2mPz9LwR4tB8nVc3sHd6JyE1uAa";

    private readonly ExternalTool.TempDir _dir = new();
    private Process? _server;
    private int _port;

    public FetchParameterTests()
    {
        ExternalTool.Require("python3", "python3");
        var probe = ExternalTool.Run("python3", ["-c", "import botocore.auth"]);
        if (probe.ExitCode != 0)
            throw new Xunit.Sdk.XunitException("python3's botocore is not installed: the stand-in checks signatures with it (apt-get install python3-botocore; .ci/run installs it)");
        _dir.Write("fetch-parameter", TemplateLibrary.Read(TemplateLibrary.FetchParameterTool), executable: true);
    }

    public void Dispose()
    {
        if (_server is { HasExited: false })
            _server.Kill(entireProcessTree: true);
        _server?.Dispose();
        _dir.Dispose();
    }

    private void Serve(string? role = "kraft-node-role", int denyFirst = 0, string? signingSecret = null, bool withParameter = true)
    {
        var config = new Dictionary<string, object?>
        {
            ["region"] = "eu-west-1",
            ["role"] = role,
            ["params"] = withParameter ? new Dictionary<string, string> { [Parameter] = Value } : new Dictionary<string, string>(),
            ["deny_first"] = denyFirst,
        };
        if (signingSecret is not null)
            config["signing_secret"] = signingSecret;
        _dir.Write("config.json", JsonSerializer.Serialize(config));
        var start = new ProcessStartInfo("python3") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var arg in new[] { RepoFiles.PathOf("tests/KraftInfra.Cluster.Tests/StandIns/aws-stand-in.py"), _dir.Combine("config.json"), _dir.Combine("port"), _dir.Combine("log") })
            start.ArgumentList.Add(arg);
        _server = Process.Start(start)!;
        for (var i = 0; i < 100 && !File.Exists(_dir.Combine("port")); i++)
        {
            if (_server.HasExited)
                throw new Xunit.Sdk.XunitException("the AWS stand-in stopped: " + _server.StandardError.ReadToEnd());
            Thread.Sleep(100);
        }
        _port = int.Parse(File.ReadAllText(_dir.Combine("port")));
    }

    private ExternalTool.Result Fetch(string name = Parameter, int timeoutSeconds = 2) =>
        ExternalTool.Run(_dir.Combine("fetch-parameter"), [name], environment: new Dictionary<string, string>
        {
            ["KRAFT_IMDS_ENDPOINT"] = $"http://127.0.0.1:{_port}",
            ["AWS_ENDPOINT_URL_SSM"] = $"http://127.0.0.1:{_port}",
            ["KRAFT_FETCH_TIMEOUT_SECONDS"] = timeoutSeconds.ToString(),
            ["KRAFT_FETCH_INTERVAL_SECONDS"] = "0.2",
        });

    private string Log => File.Exists(_dir.Combine("log")) ? File.ReadAllText(_dir.Combine("log")) : "";

    [Fact]
    public void It_prints_the_decrypted_value_and_nothing_else_after_a_request_botocore_signs_the_same()
    {
        Serve();

        var result = Fetch();

        Assert.True(result.ExitCode == 0, result.Output + Log);
        Assert.Equal(Value, result.Stdout);
        Assert.Equal("", result.Stderr);
        Assert.Contains($"signature ok: GetParameter {Parameter} WithDecryption=True", Log);
        Assert.Contains("imds token", Log);
        Assert.DoesNotContain("imds refused without token", Log);
    }

    /// <summary>The stand-in's check is real: a request signed with another secret is refused, as AWS refuses it.</summary>
    [Fact]
    public void A_signature_made_with_the_wrong_secret_is_refused_and_fails_the_fetch()
    {
        Serve(signingSecret: "another-secret");

        var result = Fetch();

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("signature mismatch", Log);
        Assert.Contains($"fetch-parameter: ERROR: could not read {Parameter} from Parameter Store with the instance role: InvalidSignatureException", result.Stderr);
    }

    [Fact]
    public void A_missing_parameter_fails_closed_with_one_line_naming_it()
    {
        Serve(withParameter: false);

        var result = Fetch();

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains($"fetch-parameter: ERROR: could not read {Parameter} from Parameter Store with the instance role: ParameterNotFound: no message", result.Stderr);
        // It said once that it would retry, not once per attempt.
        Assert.Single(result.Stderr.Split('\n'), l => l.Contains("retrying"));
    }

    [Fact]
    public void Access_denied_while_the_role_policy_applies_is_retried_until_it_reads()
    {
        Serve(denyFirst: 3);

        var result = Fetch(timeoutSeconds: 20);

        Assert.True(result.ExitCode == 0, result.Output + Log);
        Assert.Equal(Value, result.Stdout);
        Assert.Contains($"{Parameter} not read yet: AccessDeniedException: User is not authorized to perform: ssm:GetParameter; retrying", result.Stderr);
    }

    [Fact]
    public void An_instance_without_a_role_fails_saying_so()
    {
        Serve(role: null);

        var result = Fetch();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("instance metadata /latest/meta-data/iam/security-credentials/ answered HTTP 404", result.Stderr);
    }

    [Fact]
    public void An_unreachable_metadata_service_fails_naming_the_address()
    {
        _port = FreePort();

        var result = Fetch();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"could not read {Parameter} from Parameter Store with the instance role: cannot reach http://127.0.0.1:{_port}/latest/api/token", result.Stderr);
    }

    [Theory]
    [InlineData("admin-password")]
    [InlineData("")]
    public void A_name_that_is_not_a_parameter_path_is_a_usage_error(string name)
    {
        var result = ExternalTool.Run(_dir.Combine("fetch-parameter"), [name]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("usage: fetch-parameter NAME", result.Stderr);
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
