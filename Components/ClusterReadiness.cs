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

        var readyDocument = ScriptDocument(name, spec, SsmDocuments.Readiness);
        var ready = new Command($"{name}-ready", new CommandArgs
        {
            Interpreter = ["/bin/bash", "-c"],
            Create = TemplateLibrary.Read(TemplateLibrary.SsmDriverScript),
            Environment = DriverEnvironment(args, instanceIds, target, readyDocument, SsmDocuments.Readiness, brokerIds, retry: true,
                $"kraft-infra {spec.ClusterName}: readiness"),
            // A replaced node is checked again.
            Triggers = args.Nodes.Select(n => n.InstanceId.Apply(id => (object)id)).ToArray(),
        }, new CustomResourceOptions { Parent = this, DependsOn = args.Nodes.Select(n => (Resource)n).ToList() });
        Readiness = ready.Stdout.Apply(LastLine);

        if (spec.Topics.Count > 0)
        {
            var payload = TopicSpec.EncodePayload(spec.Topics);
            var topicsDocument = ScriptDocument(name, spec, SsmDocuments.Topics);
            var topics = new Command($"{name}-topics", new CommandArgs
            {
                Interpreter = ["/bin/bash", "-c"],
                Create = TemplateLibrary.Read(TemplateLibrary.SsmDriverScript),
                Environment = DriverEnvironment(args, instanceIds, target, topicsDocument, SsmDocuments.Topics, payload, retry: false,
                    $"kraft-infra {spec.ClusterName}: topics"),
                // A changed list is applied again; the step itself changes only what differs.
                Triggers = new[] { Output.Create<object>(payload) },
            }, new CustomResourceOptions { Parent = this, DependsOn = { ready } });
            Topics = topics.Stdout.Apply(ExistingTopics);
        }
        else
        {
            Topics = Output.Create(ImmutableArray<string>.Empty);
        }

        RegisterOutputs(new Dictionary<string, object?>
        {
            ["readiness"] = Readiness,
            ["topics"] = Topics,
        });
    }

    /// <summary>
    /// The SSM Command document holding one node script (see <see cref="SsmDocuments"/>); a new
    /// script text becomes a new document version, and no instance changes.
    /// </summary>
    private Document ScriptDocument(string name, ClusterSpec spec, SsmScriptDocument document) =>
        new($"{name}-{document.Key}-script", new DocumentArgs
        {
            Content = SsmDocuments.Content(document),
            DocumentType = "Command",
            DocumentFormat = "JSON",
            Tags = ResourceTags.ForCluster(spec, $"{spec.ClusterName}-{document.Key}-script").ToInputMap(),
        }, new CustomResourceOptions { Parent = this });

    /// <summary>Everything the driver needs, as environment values: nothing is spliced into its text.</summary>
    private static InputMap<string> DriverEnvironment(ClusterReadinessArgs args, Output<ImmutableArray<string>> instanceIds,
        KafkaNode target, Document document, SsmScriptDocument script, string argument, bool retry, string description)
    {
        var environment = new InputMap<string>
        {
            { "AWS_REGION", args.Region },
            { "KRAFT_INSTANCE_IDS", instanceIds.Apply(ids => string.Join(" ", ids)) },
            { "KRAFT_TARGET_INSTANCE_ID", target.InstanceId },
            { "KRAFT_DOCUMENT_NAME", document.Name },
            { "KRAFT_DOCUMENT_PARAMETER", script.ParameterName },
            { "KRAFT_REMOTE_ARGUMENT", argument },
            { "KRAFT_TIMEOUT_SECONDS", args.Spec.ReadinessTimeoutSeconds.ToString(CultureInfo.InvariantCulture) },
            { "KRAFT_RETRY_UNTIL_SUCCESS", retry ? "true" : "false" },
            { "KRAFT_DESCRIPTION", description },
        };
        if (!string.IsNullOrEmpty(args.Profile))
            environment.Add("AWS_PROFILE", args.Profile);
        return environment;
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
