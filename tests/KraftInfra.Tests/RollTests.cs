using System.Collections.Immutable;
using KraftInfra.Cluster;
using Pulumi;

namespace KraftInfra.Tests;

/// <summary>
/// How a change reaches a running cluster: the nodes EC2 already has change one at a time, each
/// instance waiting for the previous node's gate; a new stack is created in parallel.
/// </summary>
public class RollTests
{
    private const string CommandType = "command:local:Command";
    private const string InstanceType = "aws:ec2/instance:Instance";

    private static Dictionary<string, string> Existing(ClusterSpec spec, params string[] names) =>
        Topology.Plan(spec).Nodes.Where(n => names.Length == 0 || names.Contains(n.Name))
            .ToDictionary(n => n.PrivateIp, n => "i-0" + n.NodeId.ToString("D16"));

    /// <summary>
    /// Per instance and per command: the names of what it waits for (DependsOn) in the roll, the
    /// secrets a scram-tls boot reads left out (SecurityStackTests covers those).
    /// </summary>
    private static async Task<Dictionary<string, string[]>> WaitsAsync(ClusterSpec spec, IReadOnlyDictionary<string, string>? existing)
    {
        var options = new Dictionary<string, Output<ImmutableArray<Resource>>>();
        await StackRun.ObserveClusterAsync(spec, args =>
        {
            if (args.Resource.GetResourceType() is InstanceType or CommandType)
                options[args.Resource.GetResourceName()] = args.Options.DependsOn;
        }, existing);
        var waits = new Dictionary<string, string[]>();
        foreach (var (name, dependsOn) in options)
            waits[name] = (await StackRun.Get(dependsOn))
                .Where(r => r.GetResourceType() is not ("aws:ssm/parameter:Parameter" or "aws:iam/rolePolicy:RolePolicy"))
                .Select(r => r.GetResourceName()).ToArray();
        return waits;
    }

    [Fact]
    public async Task A_new_stack_has_no_gates_and_no_instance_waits()
    {
        var waits = await WaitsAsync(new ClusterSpec(), null);

        Assert.DoesNotContain(waits.Keys, k => k.EndsWith("-gate", StringComparison.Ordinal) || k.EndsWith("-preflight", StringComparison.Ordinal));
        Assert.All(waits.Where(w => w.Key.EndsWith("-instance", StringComparison.Ordinal)), w => Assert.Empty(w.Value));
    }

    [Fact]
    public async Task On_an_existing_stack_every_node_waits_for_the_previous_gate_controllers_first()
    {
        var spec = Clusters3x3();
        var waits = await WaitsAsync(spec, Existing(spec));

        Assert.Equal(["kraft-preflight"], waits["kraft-controller-1-instance"]);
        Assert.Equal(["kraft-controller-1-gate"], waits["kraft-controller-2-instance"]);
        Assert.Equal(["kraft-controller-2-gate"], waits["kraft-controller-3-instance"]);
        Assert.Equal(["kraft-controller-3-gate"], waits["kraft-broker-1-instance"]);
        Assert.Equal(["kraft-broker-1-gate"], waits["kraft-broker-2-instance"]);
        Assert.Equal(["kraft-broker-2-gate"], waits["kraft-broker-3-instance"]);
        // Each gate waits for its own node.
        Assert.Equal(["kraft-broker-2"], waits["kraft-broker-2-gate"]);
    }

    [Fact]
    public async Task An_added_broker_waits_for_no_gate_while_the_existing_nodes_still_roll()
    {
        var spec = Clusters3x3();
        var waits = await WaitsAsync(spec, Existing(spec, "kraft-controller-1", "kraft-controller-2", "kraft-controller-3", "kraft-broker-1", "kraft-broker-2"));

        Assert.Empty(waits["kraft-broker-3-instance"]);
        Assert.DoesNotContain("kraft-broker-3-gate", waits.Keys);
        Assert.Equal(["kraft-broker-1-gate"], waits["kraft-broker-2-instance"]);
    }

    [Fact]
    public async Task Each_gate_drives_the_gate_document_on_its_own_node_keyed_on_its_instance_and_fingerprint()
    {
        var mocks = new AwsMocks { ExistingInstances = Existing(new ClusterSpec()) };
        var run = await StackRun.DeployAsync(mocks);

        var commands = run.Inputs(CommandType);
        Assert.Equal(["kraft-broker-1-gate", "kraft-broker-2-gate", "kraft-controller-1-gate", "kraft-controller-2-gate", "kraft-preflight", "kraft-readiness-ready"],
            commands.Keys.Order());
        var gate = commands["kraft-controller-2-gate"];
        var environment = (IReadOnlyDictionary<string, object>)gate["environment"];
        Assert.StartsWith("kraft-roll-gate-script-", (string)environment["KRAFT_DOCUMENT_NAME"]);
        Assert.Equal("check", environment["KRAFT_DOCUMENT_PARAMETER"]);
        Assert.Equal("controller:2", environment["KRAFT_REMOTE_ARGUMENT"]);
        Assert.Equal("true", environment["KRAFT_RETRY_UNTIL_SUCCESS"]);
        var instanceId = await StackRun.Get(run.All<Pulumi.Aws.Ec2.Instance>().Single(i => i.GetResourceName() == "kraft-controller-2-instance").Id);
        Assert.Equal(instanceId, environment["KRAFT_TARGET_INSTANCE_ID"]);
        Assert.Equal(instanceId, environment["KRAFT_INSTANCE_IDS"]);
        var topology = Topology.Plan(new ClusterSpec());
        Assert.Equal(NodeFingerprint.Of(new ClusterSpec(), topology, topology.Nodes.Single(n => n.Name == "kraft-controller-2"), AwsMocks.ZoneNames[1]),
            environment["KRAFT_NODE_FINGERPRINT"]);
        Assert.False((bool)gate["addPreviousOutputInEnv"]);
        Assert.DoesNotContain("triggers", gate.Keys);

        var preflight = (IReadOnlyDictionary<string, object>)commands["kraft-preflight"]["environment"];
        Assert.Equal("preflight", preflight["KRAFT_REMOTE_ARGUMENT"]);
        Assert.Equal("false", preflight["KRAFT_RETRY_UNTIL_SUCCESS"]);
        Assert.Equal(mocks.ExistingInstances[topology.Brokers.First().PrivateIp], preflight["KRAFT_TARGET_INSTANCE_ID"]);
        Assert.Equal(4, ((string)preflight["KRAFT_ROLL_FINGERPRINTS"]).Split(' ').Length);
    }

    [Fact]
    public async Task The_lookup_asks_ec2_for_the_clusters_instances_in_every_state_that_can_come_back()
    {
        var run = await StackRun.DeployAsync();

        var lookup = Assert.Single(run.Mocks.Calls, c => c.Token == "aws:ec2/getInstances:getInstances");
        var tags = (IReadOnlyDictionary<string, object>)lookup.Args["instanceTags"];
        Assert.Equal("kraft", tags["cluster"]);
        Assert.Equal("kraft-infra", tags["managed-by"]);
        Assert.Equal(["pending", "running", "stopping", "stopped"], ((IEnumerable<object>)lookup.Args["instanceStateNames"]).Cast<string>());
    }

    [Fact]
    public async Task Without_waitForReady_nothing_runs_on_the_nodes_so_an_existing_stack_is_not_gated()
    {
        var spec = new ClusterSpec { WaitForReady = false };
        var waits = await WaitsAsync(spec, Existing(spec));

        Assert.DoesNotContain(waits.Keys, k => k.EndsWith("-gate", StringComparison.Ordinal));
        Assert.All(waits.Where(w => w.Key.EndsWith("-instance", StringComparison.Ordinal)), w => Assert.Empty(w.Value));
    }

    [Fact]
    public async Task Lowering_the_broker_count_below_the_brokers_ec2_has_stops_before_any_resource()
    {
        var mocks = new AwsMocks { ExistingInstances = Existing(Clusters3x3()) };

        var error = await Assert.ThrowsAnyAsync<Exception>(() => StackRun.DeployAsync(mocks,
            (Settings.ControllerCount, "3"), (Settings.BrokerCount, "2"), (Settings.AvailabilityZoneCount, "3")));

        Assert.Contains("the change removes 1 existing node (10.42.32.30)", error.ToString());
        Assert.Contains("kraft-infra:confirmNodeRemoval", error.ToString());
        Assert.DoesNotContain(mocks.Registered.Keys, k => !k.StartsWith("pulumi:pulumi:Stack::", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Adding_a_broker_leaves_the_existing_nodes_user_data_byte_identical()
    {
        var existing = Existing(new ClusterSpec());
        var before = await StackRun.DeployAsync(new AwsMocks { ExistingInstances = existing, ExistingReplicationBasis = "2" });
        var after = await StackRun.DeployAsync(new AwsMocks { ExistingInstances = existing, ExistingReplicationBasis = "2" }, (Settings.BrokerCount, "3"));

        var old = before.Inputs(InstanceType);
        var grown = after.Inputs(InstanceType);
        foreach (var name in old.Keys)
            Assert.Equal((string)old[name]["userDataBase64"], (string)grown[name]["userDataBase64"]);
        // The new broker takes the cluster's settings, not ones of its own.
        var added = KraftStackTests.UserData(grown["kraft-broker-3-instance"]);
        Assert.Contains("default.replication.factor=2", added);
        Assert.Contains("min.insync.replicas=1", added);
        Assert.Equal("2", ((IReadOnlyDictionary<string, object>)grown["kraft-broker-3-instance"]["tags"])["replication-basis"]);
    }

    [Fact]
    public async Task A_new_cluster_derives_its_replication_from_its_broker_count_and_tags_it()
    {
        var run = await StackRun.DeployAsync((Settings.BrokerCount, "3"));

        var broker = run.Inputs(InstanceType)["kraft-broker-1-instance"];
        Assert.Contains("default.replication.factor=3", KraftStackTests.UserData(broker));
        Assert.Equal("3", ((IReadOnlyDictionary<string, object>)broker["tags"])["replication-basis"]);
    }

    [Fact]
    public async Task Each_instance_carries_the_fingerprint_of_what_it_runs_so_the_next_run_sees_what_a_change_reaches()
    {
        var run = await StackRun.DeployAsync();
        var topology = Topology.Plan(new ClusterSpec());

        foreach (var node in topology.Nodes)
        {
            var tags = (IReadOnlyDictionary<string, object>)run.Inputs(InstanceType)[$"{node.Name}-instance"]["tags"];
            Assert.Equal(NodeFingerprint.Of(new ClusterSpec(), topology, node, AwsMocks.ZoneNames[node.ZoneSlot]), tags["fingerprint"]);
        }
    }

    private static ClusterSpec Clusters3x3() => new() { ControllerCount = 3, BrokerCount = 3, AvailabilityZoneCount = 3 };
}
