namespace KraftInfra.Cluster.Tests;

/// <summary>The metadataVersion setting and kafka-finalize.sh against a stand-in kafka-features.sh.</summary>
public sealed class FinalizeTests : IDisposable
{
    private readonly ExternalTool.TempDir _dir = new();

    public FinalizeTests()
    {
        _dir.Write("finalize.sh", TemplateLibrary.Read(TemplateLibrary.FinalizeScript));
        _dir.Write(TemplateLibrary.ToolsLibrary, TemplateLibrary.Read(TemplateLibrary.ToolsLibrary));
        _dir.Write("server.properties", "process.roles=broker\nnode.id=101\nlisteners=CLIENT://10.42.0.30:9092\n");
        // FeatureCommand's describe layout (the same 3.7 to 4.2); upgrade answers as it does.
        _dir.Write("kafka/bin/kafka-features.sh", $$"""
            #!/bin/bash
            printf '%s\n' "kafka-features.sh $*" >> "{{_dir.Combine("calls.log")}}"
            prev=""; for a in "$@"; do [ "$prev" = --command-config ] && { echo "=="; cat "$a"; } >> "{{_dir.Combine("configs.log")}}"; prev=$a; done
            case "$*" in
              *" describe"*) cat "{{_dir.Combine("describe.out")}}" ;;
              *" upgrade "*)
                if [ -f "{{_dir.Combine("upgrade.fails")}}" ]; then
                  echo "Could not upgrade metadata.version to 27. Invalid update version 27 for feature metadata.version. Broker 102 only supports versions 1-25"
                  echo "1 out of 1 operation(s) failed." >&2
                  exit 1
                fi
                echo "metadata.version was upgraded to 27." ;;
            esac
            """, executable: true);
    }

    private void Cluster(string supportedMax, string finalized) => _dir.Write("describe.out",
        $"Feature: metadata.version\tSupportedMinVersion: 3.3-IV3\tSupportedMaxVersion: {supportedMax}\tFinalizedVersionLevel: {finalized}\tEpoch: 42\n");

    private ExternalTool.Result Finalize(string argument) => ExternalTool.Run("bash", [_dir.Combine("finalize.sh"), argument],
        environment: new Dictionary<string, string>
        {
            ["KAFKA_HOME"] = _dir.Combine("kafka"),
            ["KRAFT_KAFKA_CONFIG"] = _dir.Combine("server.properties"),
            ["KRAFT_SECRETS_DIR"] = _dir.Combine("secrets"),
        });

    private string[] Calls() => File.Exists(_dir.Combine("calls.log")) ? File.ReadAllLines(_dir.Combine("calls.log")) : [];

    [Fact]
    public void It_raises_metadata_version_alone_by_its_level()
    {
        Cluster("4.1-IV1", "4.0-IV3");

        var result = Finalize("27:4.1-IV1");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal("metadata.version 4.0-IV3 -> 4.1-IV1", result.Stdout.Trim());
        var upgrade = Assert.Single(Calls(), c => c.Contains(" upgrade "));
        Assert.EndsWith(" upgrade --feature metadata.version=27", upgrade);
        Assert.DoesNotContain("--release-version", upgrade);
    }

    [Fact]
    public void With_sasl_ssl_listeners_describe_and_upgrade_authenticate_as_the_admin_from_the_boots_file()
    {
        Cluster("4.1-IV1", "4.0-IV3");
        File.AppendAllText(_dir.Combine("server.properties"), "listener.security.protocol.map=CONTROLLER:SASL_SSL,CLIENT:SASL_SSL\n");
        _dir.Write("secrets/admin-client.properties", "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=scram-admin-secret\n");
        _dir.Write("secrets/admin-controller.properties", "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=plain-admin-secret\n");

        var result = Finalize("27:4.1-IV1");

        Assert.True(result.ExitCode == 0, result.Output);
        var configs = File.ReadAllText(_dir.Combine("configs.log")).Split("==\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, configs.Length); // describe, then upgrade
        Assert.All(configs, c => Assert.Contains("sasl.jaas.config=scram-admin-secret", c));
        Assert.DoesNotContain(Calls(), c => c.Contains("secret"));
    }

    [Fact]
    public void A_version_already_finalized_runs_no_upgrade()
    {
        Cluster("4.1-IV1", "4.1-IV1");

        var result = Finalize("27:4.1-IV1");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("metadata.version is 4.1-IV1 already", result.Stdout.Trim());
        Assert.DoesNotContain(Calls(), c => c.Contains(" upgrade "));
    }

    [Fact]
    public void It_never_lowers()
    {
        Cluster("4.1-IV1", "4.1-IV1");

        var result = Finalize("25:4.0-IV3");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("refused: metadata.version is 4.1-IV1, newer than 4.0-IV3: it is never lowered", result.Stdout.Trim());
        Assert.DoesNotContain(Calls(), c => c.Contains(" upgrade "));
    }

    [Fact]
    public void A_version_the_broker_does_not_run_yet_is_refused()
    {
        Cluster("4.0-IV3", "3.9-IV0");

        var result = Finalize("27:4.1-IV1");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("refused: this broker supports metadata.version up to 4.0-IV3, not 4.1-IV1", result.Stdout.Trim());
    }

    [Fact]
    public void Kafkas_refusal_is_the_answer()
    {
        Cluster("4.1-IV1", "4.0-IV3");
        _dir.Write("upgrade.fails", "");

        var result = Finalize("27:4.1-IV1");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("failed: Could not upgrade metadata.version to 27. Invalid update version 27 for feature metadata.version. Broker 102 only supports versions 1-25",
            result.Stdout.Trim());
    }

    [Theory]
    [InlineData("4.1-IV1", "4.1.1", true)]
    [InlineData("4.2-IV1", "4.1.1", false)]
    [InlineData("3.9-IV0", "3.9.1", true)]
    [InlineData("4.0-IV0", "3.9.1", false)]
    [InlineData("4.2-IV1", "4.3.1", true)]
    [InlineData("4.3-IV0", "4.3.1", false)]
    [InlineData("latest", "4.3.1", false)]
    public void The_setting_takes_a_known_version_no_newer_than_the_release_runs(string version, string release, bool accepted)
    {
        var result = ClusterSpecParser.Parse(new Dictionary<string, string> { [Settings.MetadataVersion] = version, [Settings.KafkaVersion] = release });

        Assert.Equal(accepted, result.Ok);
        if (accepted)
            Assert.Equal(version, result.Spec!.MetadataVersion);
        else
            Assert.StartsWith($"kraft-infra:metadataVersion: \"{version}\" is not accepted", Assert.Single(result.Errors));
    }

    [Fact]
    public void The_script_passes_shellcheck()
    {
        var shellcheck = ExternalTool.Require("shellcheck", "shellcheck");

        var result = ExternalTool.Run(shellcheck, ["--shell=bash", "--severity=style", _dir.Combine("finalize.sh")]);

        Assert.True(result.ExitCode == 0, result.Output);
    }

    public void Dispose() => _dir.Dispose();
}
