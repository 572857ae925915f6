using System.Reflection;
using System.Text.RegularExpressions;

namespace KraftInfra.Cluster;

/// <summary>
/// The units and scripts in Templates/, embedded as the files they become on the node. A few carry
/// <c>{{NAME}}</c> placeholders; rendering fails on a placeholder left unfilled or a value unused.
/// </summary>
public static partial class TemplateLibrary
{
    public const string BootScript = "boot.sh";
    public const string InstallScript = "install-kafka.sh";
    public const string WaitScript = "wait-for-controllers.sh";
    public const string HeapScript = "kafka-heap-env.sh";
    public const string ControllerUnit = "kafka-controller.service";

    /// <summary>scram-tls boot step: fetches the node's key and the admin's password, writes the security files.</summary>
    public const string SecureScript = "secure-node.sh";

    /// <summary>Reads one Parameter Store parameter with the instance role (Python, standard library only).</summary>
    public const string FetchParameterTool = "fetch-parameter";

    /// <summary>Run on a broker through SSM: creates or updates the declared SCRAM users and adds their ACLs.</summary>
    public const string UsersScript = "kafka-users-apply.sh";
    public const string BrokerUnit = "kafka-broker.service";

    /// <summary>Run on a broker through SSM: is the quorum led and caught up, are all brokers registered?</summary>
    public const string ReadyScript = "kafka-ready.sh";

    /// <summary>Run on a broker through SSM: applies the declared topic list through the broker.</summary>
    public const string TopicsScript = "kafka-topics-apply.sh";

    /// <summary>Run on a node through SSM during a rolling change: is it healthy again? Also the pre-flight.</summary>
    public const string GateScript = "kafka-gate.sh";

    /// <summary>Run on a broker through SSM once an upgrade reached every node: finalizes metadata.version.</summary>
    public const string FinalizeScript = "kafka-finalize.sh";

    /// <summary>Sourced by the readiness and topics scripts: this broker's endpoint and how to run Kafka's tools.</summary>
    public const string ToolsLibrary = "kafka-tools.sh";

    /// <summary>Run on the machine running Pulumi: drives SSM Run Command with the AWS CLI.</summary>
    public const string SsmDriverScript = "ssm-run-command.sh";

    private const string Prefix = "KraftInfra.Cluster.Templates.";

    public static IReadOnlyList<string> Names { get; } = typeof(TemplateLibrary).Assembly
        .GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..])
        .Order(StringComparer.Ordinal)
        .ToList();

    public static string Read(string name)
    {
        using var stream = typeof(TemplateLibrary).Assembly.GetManifestResourceStream(Prefix + name)
            ?? throw new ArgumentException($"no template named {name}", nameof(name));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static string Render(string name, IReadOnlyDictionary<string, string>? values = null)
    {
        values ??= new Dictionary<string, string>();
        var text = Read(name);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var result = Placeholder().Replace(text, m =>
        {
            var key = m.Groups[1].Value;
            if (!values.TryGetValue(key, out var value))
                throw new InvalidOperationException($"template {name} needs a value for {{{{{key}}}}}");
            used.Add(key);
            return value;
        });
        var unused = values.Keys.Where(k => !used.Contains(k)).ToList();
        if (unused.Count > 0)
            throw new InvalidOperationException($"template {name} has no placeholder for {string.Join(", ", unused)}");
        return result;
    }

    [GeneratedRegex(@"\{\{([A-Z_]+)\}\}")]
    private static partial Regex Placeholder();
}
