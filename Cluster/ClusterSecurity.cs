using System.Text.RegularExpressions;

namespace KraftInfra.Cluster;

/// <summary>How the cluster's listeners are secured (setting <c>security</c>).</summary>
public enum SecurityMode
{
    /// <summary>SASL_SSL everywhere: SCRAM-SHA-512 for clients and brokers, PLAIN for the controller listener, TLS from the stack's CA.</summary>
    ScramTls,

    /// <summary>PLAINTEXT without authentication: for sandboxes only.</summary>
    Plaintext,
}

/// <summary>One ACL a declared user is granted (kafka-acls.sh --add --allow-principal User:NAME).</summary>
/// <param name="ResourceType">topic, group, cluster or transactional-id (kafka-acls.sh's option names).</param>
/// <param name="ResourceName">The resource's name, or "*" for all; empty for the cluster.</param>
/// <param name="PatternType">literal or prefixed.</param>
/// <param name="Operations">Kafka's operation names as kafka-acls.sh takes them, e.g. Read, Write, Describe.</param>
public sealed record KafkaAcl(string ResourceType, string ResourceName, string PatternType, IReadOnlyList<string> Operations);

/// <summary>A declared SCRAM user: its name and the ACLs it is granted.</summary>
public sealed record KafkaUserSpec(string Name, IReadOnlyList<KafkaAcl> Acls);

/// <summary>A secret string that never prints itself, so a log line or an exception can't leak it.</summary>
public sealed class SecretText(string value)
{
    public string Reveal() => value;

    public override string ToString() => "[secret]";
}

/// <summary>
/// The names and rules of the cluster's secrets and security files. The secrets themselves live
/// only in SSM Parameter Store (SecureString, the cluster's KMS key); user data names the
/// parameters, and the boot (fetch-parameter) reads them with the node's instance role.
/// </summary>
public static partial class ClusterSecurity
{
    public const string ScramTlsName = "scram-tls";
    public const string PlaintextName = "plaintext";

    /// <summary>The SCRAM and PLAIN user every node and node script authenticates as; the only super user.</summary>
    public const string AdminUser = "admin";

    public const string ScramMechanism = "SCRAM-SHA-512";
    public const string ControllerMechanism = "PLAIN";

    /// <summary>
    /// Kafka's default SCRAM iteration count (ScramParser, ConfigCommand); 4096 is also the
    /// minimum ScramMechanism accepts for SCRAM-SHA-512.
    /// </summary>
    public const int ScramIterations = 4096;

    public const int MinPasswordLength = 16;
    public const int MaxPasswordLength = 128;

    /// <summary>The length of the admin's and of generated users' RandomPasswords (letters and digits only).</summary>
    public const int GeneratedPasswordLength = 32;

    /// <summary>StandardAuthorizer: KRaft's ACL authorizer, on brokers and controllers (brokers forward admin requests).</summary>
    public const string AuthorizerClass = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";

    // Files the boot writes on a scram-tls node. The CA and node certificates are public and come
    // in the user data; the rest holds secrets and is written from Parameter Store at boot.
    public const string TlsDirectory = "/etc/kafka/tls";
    public const string CaCertificatePath = TlsDirectory + "/ca.pem";
    public const string NodeCertificatePath = TlsDirectory + "/node-cert.pem";
    public const string SecretsDirectory = "/etc/kafka/secrets";
    /// <summary>The PEM key store: the node's PKCS#8 key, then its certificate and the CA's.</summary>
    public const string KeyStorePath = SecretsDirectory + "/node-keystore.pem";
    public const string JaasPath = SecretsDirectory + "/kafka-server-jaas.conf";
    /// <summary>The admin's client config for --bootstrap-server tools (SCRAM over TLS).</summary>
    public const string AdminClientConfigPath = SecretsDirectory + "/admin-client.properties";
    /// <summary>The admin's client config for --bootstrap-controller tools (PLAIN over TLS).</summary>
    public const string ControllerClientConfigPath = SecretsDirectory + "/admin-controller.properties";

    public static string ToSettingValue(this SecurityMode mode) => mode == SecurityMode.ScramTls ? ScramTlsName : PlaintextName;

    public static bool TryParse(string text, out SecurityMode mode)
    {
        switch (text)
        {
            case ScramTlsName: mode = SecurityMode.ScramTls; return true;
            case PlaintextName: mode = SecurityMode.Plaintext; return true;
            default: mode = default; return false;
        }
    }

    /// <summary>Every parameter of the cluster lives below this path; the node role may read only here.</summary>
    public static string ParameterPrefix(ClusterSpec spec) => $"/kraft-infra/{spec.ClusterName}";

    public static string AdminPasswordParameter(ClusterSpec spec) => ParameterPrefix(spec) + "/admin-password";

    public static string NodeKeyParameter(ClusterSpec spec, KafkaNodePlan node) => $"{ParameterPrefix(spec)}/nodes/{node.Name}/tls-key";

    public static string UserPasswordParameter(ClusterSpec spec, string user) => $"{ParameterPrefix(spec)}/users/{user}";

    /// <summary>
    /// User names: letters, digits, '.', '_' and '-', at most 64. Kafka itself takes almost any
    /// string, but a name also becomes a principal (User:NAME, split at its first ':'), a
    /// Parameter Store path segment and a JAAS option value, so the rule is stricter than Kafka's.
    /// </summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    public static partial Regex UserNamePattern();

    /// <summary>
    /// A given password: printable ASCII without space, '"' and '\' (a JAAS value is a quoted
    /// string in which '\' escapes, and the SCRAM properties file reads '\' as an escape too).
    /// </summary>
    public static string? PasswordProblem(string password)
    {
        if (password.Length < MinPasswordLength)
            return $"at least {MinPasswordLength} characters (this one has {password.Length})";
        if (password.Length > MaxPasswordLength)
            return $"at most {MaxPasswordLength} characters (this one has {password.Length})";
        if (password.Any(c => c < 0x21 || c > 0x7e || c is '"' or '\\'))
            return "printable ASCII characters other than space, '\"' and '\\'";
        return null;
    }

    /// <summary>kafka-acls.sh's resource options and the operations every supported release (3.7 on) accepts on each (AclEntry.supportedOperations, plus All).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> AclOperations = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        ["topic"] = ["All", "Read", "Write", "Create", "Describe", "Delete", "Alter", "DescribeConfigs", "AlterConfigs"],
        ["group"] = ["All", "Read", "Describe", "Delete"],
        ["cluster"] = ["All", "Create", "ClusterAction", "DescribeConfigs", "AlterConfigs", "IdempotentWrite", "Alter", "Describe"],
        ["transactional-id"] = ["All", "Describe", "Write"],
    };

    /// <summary>
    /// The client.properties a user connects with: SASL_SSL, SCRAM-SHA-512, and the CA inline
    /// (ssl.truststore.certificates, PEM), so the one file is all a client needs.
    /// </summary>
    public static string ClientProperties(string user, string password, string caCertificatePem, string bootstrapServers)
    {
        var lines = new List<string>
        {
            $"# Kafka client settings for user {user} of a kraft-infra cluster. Keep this file secret.",
            JavaProperties.Line("bootstrap.servers", bootstrapServers),
            JavaProperties.Line("security.protocol", "SASL_SSL"),
            JavaProperties.Line("sasl.mechanism", ScramMechanism),
            JavaProperties.Line("sasl.jaas.config", JaasOption("org.apache.kafka.common.security.scram.ScramLoginModule", ("username", user), ("password", password))),
            JavaProperties.Line("ssl.truststore.type", "PEM"),
            JavaProperties.Line("ssl.truststore.certificates", caCertificatePem.Trim() + "\n"),
        };
        return string.Join("\n", lines) + "\n";
    }

    /// <summary>One JAAS login module entry as sasl.jaas.config takes it: <c>Module required k="v" ...;</c></summary>
    public static string JaasOption(string module, params (string Key, string Value)[] options) =>
        module + " required " + string.Join(" ", options.Select(o => $"{o.Key}=\"{o.Value}\"")) + ";";
}
