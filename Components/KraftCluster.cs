using System.Collections.Immutable;
using KraftInfra.Cluster;
using Pulumi;
using Pulumi.Aws.Ec2;
using Pulumi.Aws.Iam;
using Pulumi.Command.Local;
using Pulumi.Random;

namespace KraftInfra.Components;

public sealed class KraftClusterArgs
{
    public required ClusterSpec Spec { get; init; }

    /// <summary>One availability zone per zone slot, in slot order.</summary>
    public required IReadOnlyList<string> ZoneNames { get; init; }

    /// <summary>The Ubuntu image new nodes boot from.</summary>
    public required string ImageId { get; init; }

    /// <summary>The stack's region, for the SSM commands in the outputs and the readiness check.</summary>
    public required string Region { get; init; }

    /// <summary>The account and partition, for the node role's read access to the cluster's parameters (scram-tls).</summary>
    public string AccountId { get; init; } = "";
    public string Partition { get; init; } = "aws";

    /// <summary>The AWS provider's profile, if the stack names one, for the readiness check's AWS CLI.</summary>
    public string? Profile { get; init; }

    /// <summary>The cluster's instances that exist already (EC2, looked up by tag): instance id by private address.</summary>
    public IReadOnlyDictionary<string, string> ExistingInstances { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// A KRaft cluster: the cluster id (a RandomUuid, in Kafka's form on every node), the network,
/// the nodes' instance role, and one <see cref="KafkaNode"/> per node of the topology. Holds no
/// Kafka knowledge: the Cluster library plans every node and renders its user data.
/// </summary>
public sealed class KraftCluster : ComponentResource
{
    [Output("clusterId")]
    public Output<string> ClusterId { get; }

    [Output("bootstrapServers")]
    public Output<string> BootstrapServers { get; }

    [Output("controllerQuorum")]
    public Output<string> ControllerQuorum { get; }

    /// <summary>Per node: name, nodeId, role, zone, instanceId, privateIp, publicIp, ssmCommand.</summary>
    [Output("nodes")]
    public Output<ImmutableArray<ImmutableDictionary<string, object>>> Nodes { get; }

    [Output("vpcId")]
    public Output<string> VpcId { get; }

    /// <summary>The readiness line, or a note that pulumi up did not wait.</summary>
    [Output("readiness")]
    public Output<string> Readiness { get; }

    /// <summary>The declared topics, all existing after the update (empty when not applied).</summary>
    [Output("topics")]
    public Output<ImmutableArray<string>> Topics { get; }

    /// <summary>The cluster CA's certificate, PEM (scram-tls; empty for plaintext): what clients trust.</summary>
    [Output("caCertificate")]
    public Output<string> CaCertificate { get; }

    /// <summary>Per user (the admin included): a complete client.properties; a secret. Empty for plaintext.</summary>
    [Output("clientProperties")]
    public Output<ImmutableDictionary<string, string>> ClientProperties { get; }

    public IReadOnlyList<KafkaNode> KafkaNodes { get; }

    public KraftCluster(string name, KraftClusterArgs args, ComponentResourceOptions? options = null)
        : base("kraft-infra:index:KraftCluster", name, options)
    {
        var spec = args.Spec;
        var topology = Topology.Plan(spec);
        var child = new CustomResourceOptions { Parent = this };

        // The cluster's identity: formatted into every node's storage. Created once, kept for
        // the life of the stack (a new id would make every node a stranger to the others).
        var clusterUuid = new RandomUuid($"{name}-cluster-id", new RandomUuidArgs(), child);

        var network = new ClusterNetwork($"{name}-network", new ClusterNetworkArgs
        {
            Spec = spec,
            Topology = topology,
            ZoneNames = args.ZoneNames,
        }, new ComponentResourceOptions { Parent = this });

        var role = new Role($"{name}-node", new RoleArgs
        {
            AssumeRolePolicy = NodeAccess.AssumeRolePolicyJson,
            Description = $"kraft-infra {spec.ClusterName}: Kafka nodes (SSM agent)",
            Tags = ResourceTags.ForCluster(spec, $"{spec.ClusterName}-node").ToInputMap(),
        }, child);
        _ = new RolePolicyAttachment($"{name}-node-ssm", new RolePolicyAttachmentArgs
        {
            Role = role.Name,
            PolicyArn = NodeAccess.SsmManagedInstanceCorePolicyArn,
        }, child);
        var profile = new InstanceProfile($"{name}-node", new InstanceProfileArgs
        {
            Role = role.Name,
            Tags = ResourceTags.ForCluster(spec, $"{spec.ClusterName}-node").ToInputMap(),
        }, child);

        ClusterSecrets? secrets = null;
        if (spec.ScramTls)
        {
            secrets = new ClusterSecrets($"{name}-secrets", new ClusterSecretsArgs
            {
                Spec = spec,
                Topology = topology,
                NodeRole = role,
                Region = args.Region,
                AccountId = args.AccountId,
                Partition = args.Partition,
            }, new ComponentResourceOptions { Parent = this });
        }

        Input<string>? keyName = null;
        if (spec.SshEnabled)
        {
            var key = new KeyPair($"{name}-ssh", new KeyPairArgs
            {
                PublicKey = spec.SshPublicKey,
                Tags = ResourceTags.ForCluster(spec, $"{spec.ClusterName}-ssh").ToInputMap(),
            }, child);
            keyName = key.KeyName;
        }

        // Nodes that exist change one at a time, each after the previous one's gate (RollPlan);
        // new nodes are created at once. Without waitForReady nothing runs on the nodes: no gates.
        var roll = spec.WaitForReady ? RollPlan.For(topology, args.ExistingInstances.Keys.ToHashSet()) : new RollPlan([]);
        var gates = new Dictionary<string, Resource>(StringComparer.Ordinal);
        Resource? preflight = null;
        Pulumi.Aws.Ssm.Document? gateDocument = null;
        if (roll.Chain.Count > 0)
        {
            gateDocument = SsmDriver.ScriptDocument($"{name}-roll", spec, SsmDocuments.Gate, this);
            if (roll.PreflightTarget is { } target)
                preflight = Preflight(name, args, topology, roll, target, gateDocument);
        }

        var nodes = new Dictionary<string, KafkaNode>(StringComparer.Ordinal);
        // The chain first, in roll order, so each node's gate exists when the next node is declared.
        foreach (var node in roll.Chain.Concat(topology.Nodes.Where(n => !roll.IsRolled(n))))
        {
            var waitFor = roll.WaitsFor(node) is { } previous ? [gates[previous.Name]]
                : roll.WaitsForPreflight(node) && preflight is not null ? new[] { preflight }
                : Array.Empty<Resource>();
            var kafkaNode = new KafkaNode(node.Name, new KafkaNodeArgs
            {
                Spec = spec,
                Topology = topology,
                Node = node,
                ZoneName = args.ZoneNames[node.ZoneSlot],
                SubnetId = network.SubnetIds[node.ZoneSlot],
                SecurityGroupId = network.SecurityGroupId,
                InstanceProfileName = profile.Name,
                ImageId = args.ImageId,
                ClusterUuid = clusterUuid.Result,
                KeyName = keyName,
                WaitFor = waitFor,
                NodeCertificatePem = secrets is null ? null : (Input<string>)secrets.NodeCertificatePems[node.Name],
                CaCertificatePem = secrets is null ? null : (Input<string>)secrets.CaCertificatePem,
                BootDependencies = secrets?.BootDependencies[node.Name] ?? [],
            }, new ComponentResourceOptions { Parent = this });
            nodes[node.Name] = kafkaNode;
            if (roll.IsRolled(node))
                gates[node.Name] = Gate(args, kafkaNode, gateDocument!);
        }
        KafkaNodes = topology.Nodes.Select(n => nodes[n.Name]).ToList();

        if (spec.WaitForReady)
        {
            var readiness = new ClusterReadiness($"{name}-readiness", new ClusterReadinessArgs
            {
                Spec = spec,
                Topology = topology,
                Nodes = KafkaNodes,
                Region = args.Region,
                Profile = args.Profile,
                UserParameterVersions = secrets?.UserParameterVersions ?? [],
            }, new ComponentResourceOptions { Parent = this });
            Readiness = readiness.Readiness;
            Topics = readiness.Topics;
        }
        else
        {
            Readiness = Output.Create("not checked (waitForReady is false)");
            Topics = Output.Create(ImmutableArray<string>.Empty);
        }

        ClusterId = clusterUuid.Result.Apply(KafkaClusterId.FromUuid);
        BootstrapServers = Output.Create(topology.BootstrapServers(spec));
        ControllerQuorum = Output.Create(topology.QuorumVoters);
        VpcId = network.VpcId;
        CaCertificate = secrets?.CaCertificatePem ?? Output.Create("");
        ClientProperties = secrets?.ClientProperties ?? Output.Create(ImmutableDictionary<string, string>.Empty);
        Nodes = Output.All(KafkaNodes.Select(n => NodeSummary(n, args.ZoneNames[n.Plan.ZoneSlot], args.Region)));
        RegisterOutputs(new Dictionary<string, object?>
        {
            ["clusterId"] = ClusterId,
            ["bootstrapServers"] = BootstrapServers,
            ["controllerQuorum"] = ControllerQuorum,
            ["nodes"] = Nodes,
            ["vpcId"] = VpcId,
            ["readiness"] = Readiness,
            ["topics"] = Topics,
            ["caCertificate"] = CaCertificate,
            ["clientProperties"] = ClientProperties,
        });
    }

    /// <summary>
    /// A node's health gate: after the node was replaced or restarted, waits (through SSM, on the
    /// node) until it is healthy again. Its environment holds the node's instance id and
    /// fingerprint, so it runs again, as an update, exactly when the node changed.
    /// </summary>
    private Command Gate(KraftClusterArgs args, KafkaNode node, Pulumi.Aws.Ssm.Document document)
    {
        var spec = args.Spec;
        var environment = SsmDriver.Environment(new SsmDriver.Step(args.Region, args.Profile, node.InstanceId, node.InstanceId,
            document, SsmDocuments.Gate, RollPlan.GateCheck(node.Plan), spec.ReadinessTimeoutSeconds, RetryUntilSuccess: true,
            $"kraft-infra {spec.ClusterName}: gate of {node.Plan.Name}"));
        environment.Add("KRAFT_NODE_FINGERPRINT", node.Fingerprint);
        return new Command($"{node.Plan.Name}-gate", SsmDriver.Command(environment),
            new CustomResourceOptions { Parent = this, DependsOn = { node } });
    }

    /// <summary>
    /// Before a roll touches its first node: is the cluster healthy (a quorum leader, no
    /// under-replicated, under-min-ISR or unavailable partition)? Asked once, on an existing broker;
    /// it runs again whenever a node of the roll would change (their fingerprints are its environment).
    /// </summary>
    private Command Preflight(string name, KraftClusterArgs args, ClusterTopology topology, RollPlan roll, KafkaNodePlan target,
        Pulumi.Aws.Ssm.Document document)
    {
        var spec = args.Spec;
        // It runs before the roll touches any node, so the instance found in EC2 is still the one there.
        var targetId = args.ExistingInstances[target.PrivateIp];
        var environment = SsmDriver.Environment(new SsmDriver.Step(args.Region, args.Profile, targetId, targetId,
            document, SsmDocuments.Gate, "preflight", spec.ReadinessTimeoutSeconds, RetryUntilSuccess: false,
            $"kraft-infra {spec.ClusterName}: pre-flight"));
        environment.Add("KRAFT_ROLL_FINGERPRINTS", string.Join(" ", roll.Chain.Select(n => NodeFingerprint.Of(spec, topology, n, args.ZoneNames[n.ZoneSlot]))));
        return new Command($"{name}-preflight", SsmDriver.Command(environment), new CustomResourceOptions { Parent = this });
    }

    private static Output<ImmutableDictionary<string, object>> NodeSummary(KafkaNode node, string zone, string region) =>
        Output.Tuple(node.InstanceId, node.PrivateIp, node.PublicIp).Apply(t => ImmutableDictionary<string, object>.Empty
            .Add("name", node.Plan.Name)
            .Add("nodeId", node.Plan.NodeId)
            .Add("role", node.Plan.Role.ToKafkaName())
            .Add("zone", zone)
            .Add("instanceId", t.Item1)
            .Add("privateIp", t.Item2)
            .Add("publicIp", t.Item3 ?? "")
            .Add("ssmCommand", NodeAccess.SsmSessionCommand(t.Item1, region)));
}
