using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace KraftInfra.Cluster.Tests;

/// <summary>
/// secure-node.sh, the boot step of a scram-tls node, run for real with a stand-in for
/// fetch-parameter (a file per parameter) and the node.env and certificates a rendered node gets.
/// </summary>
public sealed partial class SecureNodeTests : IDisposable
{
    private const string AdminPassword = "Q7fXk2mPz9LwR4tB8nVc3sHd6JyE1uAa";

    private readonly ExternalTool.TempDir _dir = new();
    private readonly ClusterSpec _spec = new();
    private readonly ClusterTopology _topology;

    public SecureNodeTests()
    {
        ExternalTool.Require("bash", "bash");
        ExternalTool.Require("python3", "python3");
        _topology = Topology.Plan(_spec);
        _dir.Write("secure-node.sh", TemplateLibrary.Read(TemplateLibrary.SecureScript), executable: true);
        // The stand-in answers from params/<name>; a missing file fails the way fetch-parameter does.
        _dir.Write("fetch-parameter", """
            #!/bin/bash
            file="$KRAFT_TEST_PARAMS$1"
            if [ ! -f "$file" ]; then
              echo "fetch-parameter: ERROR: could not read $1 from Parameter Store with the instance role: ParameterNotFound: " >&2
              exit 1
            fi
            cat "$file"
            """, executable: true);
    }

    public void Dispose() => _dir.Dispose();

    private sealed record Node(KafkaNodePlan Plan, string CertificatePem, string KeyPem);

    /// <summary>Writes the node's node.env and certificates as its user data does, and its parameters.</summary>
    private Node Prepare(NodeRole role, bool withKey = true, string adminPassword = AdminPassword, string? keyPem = null)
    {
        var plan = _topology.Nodes.First(n => n.Role == role);
        var (certificatePem, generatedKey) = Clusters.Certificates.Issue(plan);
        var given = Clusters.Facts(plan);
        var facts = new NodeCloudFacts(given.ClusterUuid, given.DataVolumeId, given.ZoneName, certificatePem, given.CaCertificatePem);
        var files = Clusters.Files(Clusters.Unpack(NodeUserData.Render(_spec, _topology, plan, facts).Bytes));
        _dir.Write("node.env", files[NodeEnvironment.Path].Content);
        _dir.Write("tls/ca.pem", files[ClusterSecurity.CaCertificatePath].Content);
        _dir.Write("tls/node-cert.pem", files[ClusterSecurity.NodeCertificatePath].Content);
        _dir.Write("params" + ClusterSecurity.AdminPasswordParameter(_spec), adminPassword);
        if (withKey)
            _dir.Write("params" + ClusterSecurity.NodeKeyParameter(_spec, plan), keyPem ?? generatedKey);
        return new Node(plan, certificatePem, keyPem ?? generatedKey);
    }

    private ExternalTool.Result Run() => ExternalTool.Run(_dir.Combine("secure-node.sh"), [], environment: new Dictionary<string, string>
    {
        ["KRAFT_NODE_ENV"] = _dir.Combine("node.env"),
        ["KRAFT_FETCH_PARAMETER"] = _dir.Combine("fetch-parameter"),
        ["KRAFT_TLS_DIR"] = _dir.Combine("tls"),
        ["KRAFT_SECRETS_DIR"] = _dir.Combine("secrets"),
        ["KRAFT_SECRETS_OWNER"] = Id("-un"),
        ["KRAFT_SECRETS_GROUP"] = Id("-gn"),
        ["KRAFT_TEST_PARAMS"] = _dir.Combine("params"),
    });

    private static string Id(string option) => ExternalTool.Run("id", [option]).Stdout.Trim();

    private string Secret(string name) => File.ReadAllText(_dir.Combine("secrets", name));

    private static Dictionary<string, string> Properties(string text) => Clusters.Properties(text);

    [Fact]
    public void A_broker_gets_a_pem_key_store_that_matches_its_certificate_and_a_jaas_context_per_listener()
    {
        var node = Prepare(NodeRole.Broker);

        var result = Run();

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.DoesNotContain(AdminPassword, result.Output);
        // Key first, then the node's certificate, then the CA: Kafka's PEM key store takes the
        // first certificate as the key's and the rest as its chain.
        var keyStore = Secret("node-keystore.pem");
        var certificates = CertificatePattern().Matches(keyStore).Select(m => m.Value).ToList();
        Assert.Equal(2, certificates.Count);
        Assert.True(keyStore.IndexOf("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal) < keyStore.IndexOf(certificates[0], StringComparison.Ordinal));
        using (var withKey = X509Certificate2.CreateFromPem(certificates[0], PrivateKeyPattern().Match(keyStore).Value))
            Assert.True(withKey.HasPrivateKey);
        using var ca = X509Certificate2.CreateFromPem(Clusters.Certificates.CaCertificatePem);
        using var issued = X509Certificate2.CreateFromPem(certificates[0]);
        Assert.Equal(ca.Subject, issued.Issuer);
        Assert.Equal(ca.Thumbprint, X509Certificate2.CreateFromPem(certificates[1]).Thumbprint);

        var jaas = Secret("kafka-server-jaas.conf");
        Assert.Contains("client.KafkaServer {\n  org.apache.kafka.common.security.scram.ScramLoginModule required\n  username=\"admin\"\n  password=\"" + AdminPassword + "\";\n};", jaas);
        Assert.Contains("controller.KafkaServer {\n  org.apache.kafka.common.security.plain.PlainLoginModule required\n  username=\"admin\"\n  password=\"" + AdminPassword + "\";\n};", jaas);
        Assert.DoesNotContain("user_admin", jaas);
        Assert.False(File.Exists(_dir.Combine("secrets", "bootstrap-scram.arg")), "only controllers bootstrap the admin's credential");
    }

    [Fact]
    public void The_tool_configs_authenticate_the_admin_over_tls_with_the_ca_of_the_user_data()
    {
        Prepare(NodeRole.Broker);

        Assert.Equal(0, Run().ExitCode);

        var client = Properties(Secret("admin-client.properties"));
        Assert.Equal("SASL_SSL", client["security.protocol"]);
        Assert.Equal(ClusterSecurity.ScramMechanism, client["sasl.mechanism"]);
        Assert.Equal($"org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"{AdminPassword}\";", client["sasl.jaas.config"]);
        Assert.Equal("PEM", client["ssl.truststore.type"]);
        Assert.Equal(_dir.Combine("tls", "ca.pem"), client["ssl.truststore.location"]);

        var controller = Properties(Secret("admin-controller.properties"));
        Assert.Equal("SASL_SSL", controller["security.protocol"]);
        Assert.Equal(ClusterSecurity.ControllerMechanism, controller["sasl.mechanism"]);
        Assert.Equal($"org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"{AdminPassword}\";", controller["sasl.jaas.config"]);
    }

    [Fact]
    public void Every_secret_file_is_readable_by_the_kafka_group_only()
    {
        Prepare(NodeRole.Controller);

        Assert.Equal(0, Run().ExitCode);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute,
            File.GetUnixFileMode(_dir.Combine("secrets")));
        var names = Directory.GetFiles(_dir.Combine("secrets")).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["admin-client.properties", "admin-controller.properties", "bootstrap-scram.arg", "kafka-server-jaas.conf", "node-keystore.pem"], names);
        foreach (var name in names)
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(_dir.Combine("secrets", name!)));
    }

    [Fact]
    public void A_controllers_listener_accepts_the_admin_with_plain()
    {
        Prepare(NodeRole.Controller);

        Assert.Equal(0, Run().ExitCode);

        Assert.Equal(
            "controller.KafkaServer {\n  org.apache.kafka.common.security.plain.PlainLoginModule required\n  username=\"admin\"\n"
            + $"  password=\"{AdminPassword}\"\n  user_admin=\"{AdminPassword}\";\n}};\n",
            Secret("kafka-server-jaas.conf"));
    }

    [Fact]
    public void A_controller_bootstraps_a_salted_credential_that_verifies_against_the_password()
    {
        Prepare(NodeRole.Controller);

        var result = Run();

        Assert.True(result.ExitCode == 0, result.Output);
        var line = Secret("bootstrap-scram.arg");
        Assert.DoesNotContain(AdminPassword, line);
        var match = ScramArgPattern().Match(line);
        Assert.True(match.Success, line);
        Assert.Equal(ClusterSecurity.ScramIterations, int.Parse(match.Groups["iterations"].Value));
        var salt = Convert.FromBase64String(match.Groups["salt"].Value);
        Assert.Equal(32, salt.Length);
        // SCRAM's SaltedPassword (RFC 5802 Hi()), which Kafka's ScramParser takes as given.
        var expected = Rfc2898DeriveBytes.Pbkdf2(AdminPassword, salt, ClusterSecurity.ScramIterations, HashAlgorithmName.SHA512, 64);
        Assert.Equal(Convert.ToBase64String(expected), match.Groups["salted"].Value);
    }

    [Fact]
    public void Two_controllers_get_different_salts()
    {
        Prepare(NodeRole.Controller);
        Assert.Equal(0, Run().ExitCode);
        var first = ScramArgPattern().Match(Secret("bootstrap-scram.arg")).Groups["salt"].Value;
        Assert.Equal(0, Run().ExitCode);
        var second = ScramArgPattern().Match(Secret("bootstrap-scram.arg")).Groups["salt"].Value;

        Assert.NotEqual(first, second);
    }

    /// <summary>
    /// boot.sh hands the line to kafka-storage.sh's main class inside a java @argfile: the Java
    /// launcher's own tokenizer must give --add-scram and the exact value Kafka's parser takes.
    /// </summary>
    [Fact]
    public void The_java_launcher_reads_the_bootstrap_line_as_kafkas_add_scram_option()
    {
        ExternalTool.Require("javac", "openjdk-17-jdk-headless");
        Prepare(NodeRole.Controller);
        Assert.Equal(0, Run().ExitCode);
        var line = Secret("bootstrap-scram.arg").TrimEnd('\n');
        _dir.Write("java/Args.java", "public class Args { public static void main(String[] a) { for (String s : a) System.out.println(s); } }");
        Assert.Equal(0, ExternalTool.Run("javac", ["-d", _dir.Combine("java"), _dir.Combine("java", "Args.java")]).ExitCode);
        // The argfile as boot.sh writes it, with this test's class in place of kafka.tools.StorageTool.
        var boot = TemplateLibrary.Read(TemplateLibrary.BootScript);
        Assert.Contains("printf 'kafka.tools.StorageTool format --config /etc/kafka/server.properties --cluster-id=%s --ignore-formatted %s\\n'", boot);
        _dir.Write("format.args", $"Args format --config /etc/kafka/server.properties --cluster-id=-Ab_c --ignore-formatted {line}\n");

        var result = ExternalTool.Run("java", ["-cp", _dir.Combine("java"), "@" + _dir.Combine("format.args")]);

        Assert.True(result.ExitCode == 0, result.Output);
        var args = result.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(["format", "--config", "/etc/kafka/server.properties", "--cluster-id=-Ab_c", "--ignore-formatted", "--add-scram"], args[..^1]);
        var value = args[^1];
        var parsed = ScramArgPattern().Match($"--add-scram '{value}'");
        Assert.True(parsed.Success, value);
        Assert.StartsWith("SCRAM-SHA-512=[name=admin,iterations=4096,salt=\"", value);
    }

    [Fact]
    public void A_missing_parameter_stops_the_node_with_a_line_naming_it_and_writes_no_key_store()
    {
        var node = Prepare(NodeRole.Broker, withKey: false);

        var result = Run();

        Assert.NotEqual(0, result.ExitCode);
        var parameter = ClusterSecurity.NodeKeyParameter(_spec, node.Plan);
        Assert.Contains($"secure-node: ERROR: could not read {parameter} from Parameter Store; the node stops here and Kafka is not started", result.Output);
        Assert.Contains($"fetch-parameter: ERROR: could not read {parameter}", result.Output);
        Assert.False(File.Exists(_dir.Combine("secrets", "node-keystore.pem")));
        Assert.False(File.Exists(_dir.Combine("secrets", "kafka-server-jaas.conf")));
        Assert.DoesNotContain(AdminPassword, result.Output);
    }

    [Theory]
    [InlineData("short1")]
    [InlineData("Q7fXk2mPz9LwR4tB\"8nVc3sHd6JyE1uAa")]
    public void An_admin_password_changed_by_hand_into_something_else_is_refused_without_printing_it(string password)
    {
        Prepare(NodeRole.Broker, adminPassword: password);

        var result = Run();

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"{ClusterSecurity.AdminPasswordParameter(_spec)} does not hold 16 to 128 letters and digits", result.Output);
        Assert.DoesNotContain(password, result.Output);
        Assert.False(File.Exists(_dir.Combine("secrets", "kafka-server-jaas.conf")));
    }

    [Fact]
    public void A_key_that_is_not_unencrypted_pkcs8_is_refused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var node = Prepare(NodeRole.Broker, keyPem: key.ExportECPrivateKeyPem());

        var result = Run();

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"{ClusterSecurity.NodeKeyParameter(_spec, node.Plan)} holds no PKCS#8 private key", result.Output);
        Assert.False(File.Exists(_dir.Combine("secrets", "node-keystore.pem")));
    }

    [Fact]
    public void A_node_without_its_certificate_in_the_user_data_stops_before_reading_any_secret()
    {
        Prepare(NodeRole.Broker);
        File.Delete(_dir.Combine("tls", "node-cert.pem"));

        var result = Run();

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("node-cert.pem is missing or empty", result.Output);
        Assert.False(Directory.Exists(_dir.Combine("secrets")));
    }

    /// <summary>
    /// Kafka's JaasContext.loadServerContext: a listener's credentials come from the static JAAS
    /// file's "&lt;listener, lower case&gt;.KafkaServer" section (no listener.name.*.sasl.jaas.config is
    /// set); the broker's connections to the controllers and to other brokers, clients of those
    /// listeners, read the same sections. So each mechanism a node serves or speaks needs its
    /// login module in the section of its listener.
    /// </summary>
    [Theory]
    [InlineData(NodeRole.Controller)]
    [InlineData(NodeRole.Broker)]
    public void The_jaas_file_has_a_login_module_for_every_mechanism_the_nodes_properties_use(NodeRole role)
    {
        var node = Prepare(role);
        Assert.Equal(0, Run().ExitCode);
        var p = Clusters.Properties(KafkaProperties.For(_spec, _topology, node.Plan, "us-east-1a").Render());
        var sections = JaasSection().Matches(Secret("kafka-server-jaas.conf")).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["body"].Value);
        string Module(string mechanism) => mechanism == ClusterSecurity.ScramMechanism
            ? "org.apache.kafka.common.security.scram.ScramLoginModule" : "org.apache.kafka.common.security.plain.PlainLoginModule";

        Assert.DoesNotContain(p.Keys, k => k.EndsWith(".sasl.jaas.config", StringComparison.Ordinal));
        var uses = new List<(string Listener, string Mechanism, bool Serves)>();
        foreach (var listener in KraftRules.Listeners(p["listeners"]))
            uses.AddRange(p[$"listener.name.{listener.Name.ToLowerInvariant()}.sasl.enabled.mechanisms"].Split(',').Select(m => (listener.Name, m, true)));
        uses.Add((p["controller.listener.names"], p["sasl.mechanism.controller.protocol"], false));
        if (p.TryGetValue("inter.broker.listener.name", out var interBroker))
            uses.Add((interBroker, p["sasl.mechanism.inter.broker.protocol"], false));

        foreach (var (listener, mechanism, serves) in uses)
        {
            var name = listener.ToLowerInvariant() + ".KafkaServer";
            Assert.True(sections.TryGetValue(name, out var body), $"no {name} section for {mechanism} on {listener}");
            Assert.Contains(Module(mechanism) + " required", body);
            Assert.Contains($"username=\"admin\"", body);
            // PLAIN's server side checks user_<name>; SCRAM's checks the credential in the metadata log.
            if (serves && mechanism == ClusterSecurity.ControllerMechanism)
                Assert.Contains($"user_admin=\"{AdminPassword}\"", body);
        }
        Assert.Equal(uses.Select(u => u.Listener.ToLowerInvariant() + ".KafkaServer").Distinct().Order(), sections.Keys.Order());
    }

    /// <summary>The script's default paths are the ones the properties, the unit and the tools name.</summary>
    [Fact]
    public void The_scripts_default_paths_are_the_librarys()
    {
        var script = TemplateLibrary.Read(TemplateLibrary.SecureScript);

        Assert.Contains($"tls_dir=${{KRAFT_TLS_DIR:-{ClusterSecurity.TlsDirectory}}}", script);
        Assert.Contains($"secrets=${{KRAFT_SECRETS_DIR:-{ClusterSecurity.SecretsDirectory}}}", script);
        foreach (var path in new[] { ClusterSecurity.KeyStorePath, ClusterSecurity.JaasPath, ClusterSecurity.AdminClientConfigPath, ClusterSecurity.ControllerClientConfigPath })
            Assert.Contains($"put {Path.GetFileName(path)}", script);
        Assert.Equal(ClusterSecurity.SecretsDirectory, Path.GetDirectoryName(ClusterSecurity.KeyStorePath));
        Assert.Equal(ClusterSecurity.TlsDirectory + "/ca.pem", ClusterSecurity.CaCertificatePath);
        Assert.Equal(ClusterSecurity.TlsDirectory + "/node-cert.pem", ClusterSecurity.NodeCertificatePath);
    }

    [GeneratedRegex("(?<name>[a-z]+\\.KafkaServer) \\{\n(?<body>[^}]*)\\};")]
    private static partial Regex JaasSection();

    [GeneratedRegex("-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----")]
    private static partial Regex CertificatePattern();

    [GeneratedRegex("-----BEGIN PRIVATE KEY-----[^-]+-----END PRIVATE KEY-----")]
    private static partial Regex PrivateKeyPattern();

    // Kafka's ScramParser form, in the single quotes of a java @argfile.
    [GeneratedRegex("^--add-scram 'SCRAM-SHA-512=\\[name=admin,iterations=(?<iterations>[0-9]+),salt=\"(?<salt>[A-Za-z0-9+/=]+)\",saltedpassword=\"(?<salted>[A-Za-z0-9+/=]+)\"\\]'\n?$")]
    private static partial Regex ScramArgPattern();
}
