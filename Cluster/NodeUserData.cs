using System.Globalization;

namespace KraftInfra.Cluster;

/// <summary>One node's user data: the #cloud-config document and the bytes EC2 receives.</summary>
public sealed record RenderedUserData(string NodeName, string Document, byte[] Bytes, bool Gzipped)
{
    /// <summary>For EC2's UserDataBase64 input, which takes gzip as well as text.</summary>
    public string Base64 => Convert.ToBase64String(Bytes);
}

/// <summary>
/// Builds a node's #cloud-config: the kafka user, its files (properties, unit, scripts, node.env)
/// and one runcmd step, the boot script. Everything node-specific is data in the files it writes.
/// </summary>
public static class NodeUserData
{
    public const string PropertiesPath = "/etc/kafka/server.properties";
    public const string UnitPath = "/etc/systemd/system/kafka.service";
    public const string ScriptDirectory = "/usr/local/lib/kraft-infra";
    public const string KafkaUser = "kafka";

    /// <summary>systemd's start timeout must outlast the controller wait (and the quorum tool's last try).</summary>
    public static int StartTimeoutSeconds(ClusterSpec spec) => spec.ControllerWaitTimeoutSeconds + 120;

    public static CloudConfig Build(ClusterSpec spec, ClusterTopology topology, KafkaNodePlan node, NodeCloudFacts facts)
    {
        var properties = KafkaProperties.For(spec, topology, node, facts.ZoneName);
        var unit = node.Role == NodeRole.Controller
            ? TemplateLibrary.Render(TemplateLibrary.ControllerUnit)
            : TemplateLibrary.Render(TemplateLibrary.BrokerUnit, new Dictionary<string, string>
            {
                ["START_TIMEOUT_SECONDS"] = StartTimeoutSeconds(spec).ToString(CultureInfo.InvariantCulture),
            });

        var files = new List<WriteFile>
        {
            new() { Path = NodeEnvironment.Path, Content = NodeEnvironment.Render(spec, node, facts) },
            new() { Path = PropertiesPath, Content = properties.Render() },
            new() { Path = UnitPath, Content = unit },
            Script(TemplateLibrary.BootScript),
            Script(TemplateLibrary.InstallScript),
            Script(TemplateLibrary.HeapScript),
        };
        // The readiness and topics scripts are not here: they reach a broker in SSM documents
        // (SsmDocuments), so changing them replaces no instance.
        if (node.Role == NodeRole.Broker)
            files.Add(Script(TemplateLibrary.WaitScript));

        return new CloudConfig
        {
            Groups = [KafkaUser],
            Users =
            [
                "default",
                new CloudUser { Name = KafkaUser, System = true, PrimaryGroup = KafkaUser, Shell = "/usr/sbin/nologin" },
            ],
            WriteFiles = files,
            RunCmd = [[$"{ScriptDirectory}/{TemplateLibrary.BootScript}"]],
        };
    }

    public static RenderedUserData Render(ClusterSpec spec, ClusterTopology topology, KafkaNodePlan node, NodeCloudFacts facts)
    {
        var document = Build(spec, topology, node, facts).Serialize();
        var (bytes, gzipped) = CloudConfig.Pack(document);
        return new RenderedUserData(node.Name, document, bytes, gzipped);
    }

    private static WriteFile Script(string name) => new()
    {
        Path = $"{ScriptDirectory}/{name}",
        Permissions = "0755",
        Content = TemplateLibrary.Read(name),
    };
}
