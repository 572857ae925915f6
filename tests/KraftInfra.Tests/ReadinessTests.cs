using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using KraftInfra.Cluster;
using KraftInfra.Components;
using Pulumi;

namespace KraftInfra.Tests;

public class ReadinessTests
{
    private const string CommandType = "command:local:Command";
    private const string Topics = """[{"name": "orders", "partitions": 6, "replicationFactor": 2}, {"name": "orders.dead-letter", "config": {"cleanup.policy": "compact"}}]""";

    private static IReadOnlyDictionary<string, object> Environment(ImmutableDictionary<string, object> command) =>
        (IReadOnlyDictionary<string, object>)command["environment"];

    private static async Task<Dictionary<string, string>> InstanceIds(StackRun run)
    {
        var ids = new Dictionary<string, string>();
        foreach (var instance in run.All<Pulumi.Aws.Ec2.Instance>())
            ids[instance.GetResourceName()] = await StackRun.Get(instance.Id);
        return ids;
    }

    [Fact]
    public async Task The_readiness_check_runs_the_ssm_driver_on_a_broker_with_every_value_in_its_environment()
    {
        var run = await StackRun.DeployAsync();
        var ids = await InstanceIds(run);

        var ready = Assert.Single(run.Inputs(CommandType)).Value;
        Assert.Equal(["/bin/bash", "-c"], ((IEnumerable<object>)ready["interpreter"]).Cast<string>());
        // The script text is the template itself: no value is spliced into it.
        Assert.Equal(TemplateLibrary.Read(TemplateLibrary.SsmDriverScript), (string)ready["create"]);
        var environment = Environment(ready);
        Assert.StartsWith("kraft-readiness-ready-script-", (string)environment["KRAFT_DOCUMENT_NAME"]);
        Assert.Equal("brokerIds", environment["KRAFT_DOCUMENT_PARAMETER"]);
        Assert.Equal("101,102", environment["KRAFT_REMOTE_ARGUMENT"]);
        Assert.Equal(ids["kraft-broker-1-instance"], environment["KRAFT_TARGET_INSTANCE_ID"]);
        Assert.Equal(ids.Values.Order(), ((string)environment["KRAFT_INSTANCE_IDS"]).Split(' ').Order());
        Assert.Equal(AwsMocks.Region, environment["AWS_REGION"]);
        Assert.Equal("true", environment["KRAFT_RETRY_UNTIL_SUCCESS"]);
        Assert.Equal("1200", environment["KRAFT_TIMEOUT_SECONDS"]);
        Assert.False(environment.ContainsKey("AWS_PROFILE"));
    }

    [Fact]
    public async Task The_readiness_check_is_triggered_by_every_instance_id()
    {
        var run = await StackRun.DeployAsync();
        var ids = await InstanceIds(run);

        var ready = Assert.Single(run.Inputs(CommandType)).Value;

        Assert.Equal(ids.Values.Order(), ((IEnumerable<object>)ready["triggers"]).Cast<string>().Order());
    }

    [Fact]
    public async Task Declared_topics_travel_as_base64_json_to_the_brokers_topics_step_after_the_readiness_check()
    {
        var run = await StackRun.DeployAsync((Settings.Topics, Topics));

        var commands = run.Inputs(CommandType);
        Assert.Equal(["kraft-readiness-ready", "kraft-readiness-topics"], commands.Keys.Order());
        var topics = commands["kraft-readiness-topics"];
        var environment = Environment(topics);
        Assert.StartsWith("kraft-readiness-topics-script-", (string)environment["KRAFT_DOCUMENT_NAME"]);
        Assert.Equal("topics", environment["KRAFT_DOCUMENT_PARAMETER"]);
        Assert.Equal("false", environment["KRAFT_RETRY_UNTIL_SUCCESS"]);
        var payload = (string)environment["KRAFT_REMOTE_ARGUMENT"];
        using var json = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
        Assert.Equal(["orders", "orders.dead-letter"], json.RootElement.EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(6, json.RootElement[0].GetProperty("partitions").GetInt32());
        Assert.Equal("compact", json.RootElement[1].GetProperty("config").GetProperty("cleanup.policy").GetString());
        Assert.Equal([payload], ((IEnumerable<object>)topics["triggers"]).Cast<string>());
        Assert.Equal(TemplateLibrary.Read(TemplateLibrary.SsmDriverScript), (string)topics["create"]);
    }

    [Fact]
    public async Task The_dev_stacks_two_topics_reach_the_brokers_topics_step()
    {
        var run = await StackRun.DeployAsync(DevStackConfig());

        var topics = run.Inputs(CommandType)["kraft-readiness-topics"];
        var payload = (string)Environment(topics)["KRAFT_REMOTE_ARGUMENT"];
        using var json = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
        Assert.Equal(["orders", "orders.dead-letter"], json.RootElement.EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Equal("t3.medium", (string)run.Inputs("aws:ec2/instance:Instance")["kraft-broker-1-instance"]["instanceType"]);
    }

    [Fact]
    public async Task The_node_scripts_live_in_ssm_command_documents_the_stack_manages_not_in_user_data()
    {
        var run = await StackRun.DeployAsync((Settings.Topics, Topics));

        var documents = run.Inputs("aws:ssm/document:Document");
        Assert.Equal(["kraft-readiness-ready-script", "kraft-readiness-topics-script"], documents.Keys.Order());
        Assert.Equal(SsmDocuments.Content(SsmDocuments.Readiness), (string)documents["kraft-readiness-ready-script"]["content"]);
        Assert.Equal(SsmDocuments.Content(SsmDocuments.Topics), (string)documents["kraft-readiness-topics-script"]["content"]);
        Assert.All(documents.Values, d => Assert.Equal("Command", (string)d["documentType"]));
        foreach (var instance in run.Inputs("aws:ec2/instance:Instance").Values)
        {
            var userData = KraftStackTests.UserData(instance);
            Assert.DoesNotContain(TemplateLibrary.ReadyScript, userData);
            Assert.DoesNotContain(TemplateLibrary.TopicsScript, userData);
        }
    }

    [Fact]
    public async Task The_metadata_version_is_finalized_only_when_its_setting_is_given_after_the_readiness_check()
    {
        var without = await StackRun.DeployAsync();
        Assert.DoesNotContain("kraft-readiness-finalize", without.Inputs(CommandType).Keys);

        var run = await StackRun.DeployAsync((Settings.KafkaVersion, "4.1.1"), (Settings.MetadataVersion, "4.1-IV1"));
        var environment = Environment(run.Inputs(CommandType)["kraft-readiness-finalize"]);
        Assert.Equal("27:4.1-IV1", environment["KRAFT_REMOTE_ARGUMENT"]);
        Assert.Equal("metadataVersion", environment["KRAFT_DOCUMENT_PARAMETER"]);
        Assert.StartsWith("kraft-readiness-finalize-script-", (string)environment["KRAFT_DOCUMENT_NAME"]);
        Assert.Equal("false", environment["KRAFT_RETRY_UNTIL_SUCCESS"]);
    }

    /// <summary>Pulumi.dev.yaml's config as the Pulumi CLI hands it to the program, read as tools/render reads stacks.</summary>
    private static (string Key, string Value)[] DevStackConfig()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "Pulumi.dev.yaml")))
            dir = dir.Parent;
        var stack = KraftInfra.Render.StackFile.Load(Path.Combine(dir.FullName, "Pulumi.dev.yaml"));
        return [.. stack.Values.Select(v => (v.Key, v.Value)), ("aws:region", stack.Region!)];
    }

    [Fact]
    public async Task The_stack_outputs_the_readiness_line_and_the_topics_that_exist()
    {
        var run = await StackRun.DeployAsync((Settings.Topics, Topics));

        Assert.Equal(AwsMocks.ReadyLine, await StackRun.Get((Output<string>)run.Outputs["readiness"]!));
        Assert.Equal(["orders", "orders.dead-letter"], (await StackRun.Get((Output<ImmutableArray<string>>)run.Outputs["topics"]!)).ToArray());
    }

    [Fact]
    public async Task The_stacks_aws_profile_reaches_the_driver_intact()
    {
        const string profile = "team a's \"deploy\" profile";
        var run = await StackRun.DeployAsync(("aws:profile", profile));

        var ready = Assert.Single(run.Inputs(CommandType)).Value;
        Assert.Equal(profile, Environment(ready)["AWS_PROFILE"]);
    }

    [Fact]
    public async Task Nothing_is_checked_or_applied_when_wait_for_ready_is_false()
    {
        var run = await StackRun.DeployAsync((Settings.WaitForReady, "false"), (Settings.Topics, Topics));

        Assert.Empty(run.Inputs(CommandType));
        Assert.Equal(4, run.Inputs("aws:ec2/instance:Instance").Count);
        Assert.Equal("not checked (waitForReady is false)", await StackRun.Get((Output<string>)run.Outputs["readiness"]!));
        Assert.Empty(await StackRun.Get((Output<ImmutableArray<string>>)run.Outputs["topics"]!));
    }

    [Fact]
    public async Task A_bad_topic_list_stops_the_program_before_any_resource_naming_the_key()
    {
        var mocks = new AwsMocks();
        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            StackRun.DeployAsync(mocks, (Settings.Topics, """[{"name": ".."}, {"name": "t", "replicationFactor": 5}]""")));

        Assert.Contains("kraft-infra:topics[0].name", error.ToString());
        Assert.Contains("kraft-infra:topics[1].replicationFactor", error.ToString());
        Assert.DoesNotContain(mocks.Registered.Keys, k => !k.StartsWith("pulumi:pulumi:Stack::", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_readiness_check_depends_on_every_node_and_the_topics_step_on_the_check()
    {
        var dependencies = new Dictionary<string, Output<ImmutableArray<Resource>>>();
        var spec = ClusterSpecParser.Parse(new Dictionary<string, string> { [Settings.Topics] = Topics }).GetSpecOrThrow();
        await StackRun.ObserveClusterAsync(spec, args =>
        {
            if (args.Resource.GetResourceType() == CommandType)
                dependencies[args.Resource.GetResourceName()] = args.Options.DependsOn;
        });

        var ready = await StackRun.Get(dependencies["kraft-readiness-ready"]);
        Assert.Equal(
            ["kraft-broker-1", "kraft-broker-2", "kraft-controller-1", "kraft-controller-2"],
            ready.Select(r => r.GetResourceName()).Order());
        Assert.All(ready, r => Assert.Equal("kraft-infra:index:KafkaNode", r.GetResourceType()));
        var topics = await StackRun.Get(dependencies["kraft-readiness-topics"]);
        Assert.Equal("kraft-readiness-ready", Assert.Single(topics).GetResourceName());
    }
}
