using System.Collections.Immutable;
using System.Globalization;
using KraftInfra.Cluster;
using Pulumi;
using Pulumi.Aws.Ssm;
using Pulumi.Command.Local;

namespace KraftInfra.Components;

public sealed class ClusterReadinessArgs
{
    public required ClusterSpec Spec { get; init; }
    public required ClusterTopology Topology { get; init; }
    public required IReadOnlyList<KafkaNode> Nodes { get; init; }

    /// <summary>The stack's AWS provider settings, for the AWS CLI the commands run.</summary>
    public required string Region { get; init; }
    public string? Profile { get; init; }

    /// <summary>scram-tls: the declared users' password parameter versions (a new version rotates that password).</summary>
    public IReadOnlyList<Output<int>> UserParameterVersions { get; init; } = [];
}

/// <summary>
/// Makes pulumi up end with a working cluster. From the machine running Pulumi, local commands
/// drive SSM Run Command (no inbound port), running scripts the stack keeps in SSM Command
/// documents: first the readiness check on a broker, retried until
/// the quorum has a caught-up leader and every broker is registered; then the declared topics,
/// applied through that broker. pulumi preview runs neither.
/// </summary>
public sealed class ClusterReadiness : ComponentResource
{
    /// <summary>The node's one-line answer, e.g. "ready: leader 1, voters 1,2 caught up, brokers 101,102 registered".</summary>
    [Output("readiness")]
    public Output<string> Readiness { get; }

    /// <summary>The declared topics, all existing after the update.</summary>
    [Output("topics")]
    public Output<ImmutableArray<string>> Topics { get; }

    public ClusterReadiness(string name, ClusterReadinessArgs args, ComponentResourceOptions? options = null)
        : base("kraft-infra:index:ClusterReadiness", name, options)
    {
        var spec = args.Spec;
        var target = args.Nodes.First(n => n.Plan.Role == NodeRole.Broker);
        var instanceIds = Output.All(args.Nodes.Select(n => n.InstanceId));
        var brokerIds = string.Join(",", args.Topology.Brokers.Select(b => b.NodeId.ToString(CultureInfo.InvariantCulture)));

        var allIds = instanceIds.Apply(ids => string.Join(" ", ids));
        SsmDriver.Step StepFor(Pulumi.Aws.Ssm.Document document, SsmScriptDocument script, string argument, bool retry, string what) =>
            new(args.Region, args.Profile, allIds, target.InstanceId, document, script, argument,
                spec.ReadinessTimeoutSeconds, retry, $"kraft-infra {spec.ClusterName}: {what}");

        var readyDocument = SsmDriver.ScriptDocument(name, spec, SsmDocuments.Readiness, this);
        var readyArgs = SsmDriver.Command(SsmDriver.Environment(StepFor(readyDocument, SsmDocuments.Readiness, brokerIds, retry: true, "readiness")));
        // A replaced node is checked again.
        readyArgs.Triggers = args.Nodes.Select(n => n.InstanceId.Apply(id => (object)id)).ToArray();
        var ready = new Command($"{name}-ready", readyArgs,
            new CustomResourceOptions { Parent = this, DependsOn = args.Nodes.Select(n => (Resource)n).ToList() });
        Readiness = ready.Stdout.Apply(LastLine);

        if (spec.Topics.Count > 0)
        {
            var payload = TopicSpec.EncodePayload(spec.Topics);
            var topicsDocument = SsmDriver.ScriptDocument(name, spec, SsmDocuments.Topics, this);
            var topicsArgs = SsmDriver.Command(SsmDriver.Environment(StepFor(topicsDocument, SsmDocuments.Topics, payload, retry: false, "topics")));
            // A changed list is applied again; the step itself changes only what differs.
            topicsArgs.Triggers = new[] { Output.Create<object>(payload) };
            var topics = new Command($"{name}-topics", topicsArgs, new CustomResourceOptions { Parent = this, DependsOn = { ready } });
            Topics = topics.Stdout.Apply(ExistingTopics);
        }
        else
        {
            Topics = Output.Create(ImmutableArray<string>.Empty);
        }

        // Declared users: created, and their passwords set anew, through the admin on a broker; the
        // step reads each password from its parameter on the node (the argument names parameters only).
        if (spec.ScramTls && spec.Users.Count > 0)
        {
            var payload = UserList.Base64(spec);
            var usersDocument = SsmDriver.ScriptDocument(name, spec, SsmDocuments.Users, this);
            var usersArgs = SsmDriver.Command(SsmDriver.Environment(StepFor(usersDocument, SsmDocuments.Users, payload, retry: false, "users")));
            // Runs again for a changed list, a changed password (its parameter's version) or a replaced node.
            usersArgs.Triggers = new[] { Output.Create<object>(payload) }
                .Concat(args.UserParameterVersions.Select(v => v.Apply(n => (object)n)))
                .ToArray();
            _ = new Command($"{name}-users", usersArgs, new CustomResourceOptions { Parent = this, DependsOn = { ready } });
        }

        // The second step of a Kafka upgrade, only when asked for: after every node runs the
        // release and the cluster is ready again (the check depends on every node, and on a roll
        // every node waited for its gate).
        if (spec.MetadataVersion.Length > 0)
        {
            var finalizeDocument = SsmDriver.ScriptDocument(name, spec, SsmDocuments.Finalize, this);
            _ = new Command($"{name}-finalize", SsmDriver.Command(SsmDriver.Environment(StepFor(finalizeDocument, SsmDocuments.Finalize,
                MetadataVersions.FinalizeArgument(spec.MetadataVersion), retry: false, $"finalize metadata.version {spec.MetadataVersion}"))),
                new CustomResourceOptions { Parent = this, DependsOn = { ready } });
        }

        RegisterOutputs(new Dictionary<string, object?>
        {
            ["readiness"] = Readiness,
            ["topics"] = Topics,
        });
    }

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";

    /// <summary>The topics step ends with "topics: a,b": the declared topics, all existing now.</summary>
    private static ImmutableArray<string> ExistingTopics(string stdout)
    {
        var line = stdout.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("topics:", StringComparison.Ordinal));
        return line is null
            ? []
            : [.. line["topics:".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }
}
