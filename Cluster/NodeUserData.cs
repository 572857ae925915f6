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
        var jaas = spec.ScramTls
            ? "# The listeners' SASL credentials, written at boot from Parameter Store (secure-node.sh).\n"
              + $"Environment=KAFKA_OPTS=-Djava.security.auth.login.config={ClusterSecurity.JaasPath}\n"
            : "";
        var unit = node.Role == NodeRole.Controller
            ? TemplateLibrary.Render(TemplateLibrary.ControllerUnit, new Dictionary<string, string> { ["JAAS_ENVIRONMENT"] = jaas })
            : TemplateLibrary.Render(TemplateLibrary.BrokerUnit, new Dictionary<string, string>
            {
                ["START_TIMEOUT_SECONDS"] = StartTimeoutSeconds(spec).ToString(CultureInfo.InvariantCulture),
                ["JAAS_ENVIRONMENT"] = jaas,
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
        if (spec.ScramTls)
        {
            if (facts.NodeCertificatePem is null || facts.CaCertificatePem is null)
                throw new ArgumentException($"{node.Name}: a scram-tls node needs its certificate and the CA's", nameof(facts));
            files.Add(new() { Path = ClusterSecurity.CaCertificatePath, Content = facts.CaCertificatePem.TrimEnd() + "\n" });
            files.Add(new() { Path = ClusterSecurity.NodeCertificatePath, Content = facts.NodeCertificatePem.TrimEnd() + "\n" });
            files.Add(Script(TemplateLibrary.SecureScript));
            files.Add(Script(TemplateLibrary.FetchParameterTool));
        }

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
