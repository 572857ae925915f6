namespace KraftInfra.Cluster.Tests;

/// <summary>
/// The security settings of scram-tls nodes against Kafka's own rules, read from its source at
/// 3.7.2 and 4.1.1 (same rules in both): KafkaConfig.validateValues (the inter-broker mechanism
/// must be enabled on the inter-broker listener, with listener.name.&lt;l&gt;. overriding the global
/// list), KafkaConfig.saslEnabledMechanisms (default GSSAPI), DefaultSslEngineFactory (a PEM key or
/// trust store takes no store password) and the cluster's own choices (no GSSAPI: there is no
/// Kerberos; the authorizer denies by default).
/// </summary>
public class SecurityPropertiesTests
{
    private static readonly string[] Mechanisms = [ClusterSecurity.ScramMechanism, ClusterSecurity.ControllerMechanism];

    public static TheoryData<int, int> Shapes => new() { { 1, 1 }, { 2, 2 }, { 3, 3 }, { 5, 7 } };

    private static List<(KafkaNodePlan Node, Dictionary<string, string> Properties)> Nodes(ClusterSpec spec)
    {
        var topology = Topology.Plan(spec);
        return topology.Nodes.Select(n => (n, Clusters.Properties(KafkaProperties.For(spec, topology, n, "us-east-1a").Render()))).ToList();
    }

    private static Dictionary<string, string> ProtocolMap(IReadOnlyDictionary<string, string> p) =>
        p["listener.security.protocol.map"].Split(',').Select(e => e.Split(':', 2)).ToDictionary(e => e[0], e => e[1]);

    /// <summary>KafkaConfig.saslEnabledMechanisms(listener): the listener.name.&lt;l&gt;. value, else the global one, else GSSAPI.</summary>
    private static string[] EnabledMechanisms(IReadOnlyDictionary<string, string> p, string listener) =>
        (p.TryGetValue($"listener.name.{listener.ToLowerInvariant()}.sasl.enabled.mechanisms", out var own) ? own
            : p.TryGetValue("sasl.enabled.mechanisms", out var global) ? global : "GSSAPI")
        .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    public static List<string> Violations(IReadOnlyDictionary<string, string> p)
    {
        var problems = new List<string>();
        var map = ProtocolMap(p);
        var listeners = KraftRules.Listeners(p["listeners"]);
        foreach (var listener in listeners)
        {
            if (map[listener.Name] != "SASL_SSL")
                problems.Add($"listener {listener.Name} is {map[listener.Name]}, not SASL_SSL");
            var enabled = EnabledMechanisms(p, listener.Name);
            if (enabled.Length == 0 || enabled.Any(m => !Mechanisms.Contains(m)))
                problems.Add($"listener {listener.Name} enables [{string.Join(",", enabled)}]: only SCRAM-SHA-512 and PLAIN have credentials here (GSSAPI is Kafka's default)");
        }
        foreach (var name in p["controller.listener.names"].Split(','))
            if (map.GetValueOrDefault(name) != "SASL_SSL")
                problems.Add($"controller listener {name} is not SASL_SSL");

        // KafkaConfig: interBrokerUsesSasl => saslEnabledMechanisms(interBrokerListenerName) contains
        // sasl.mechanism.inter.broker.protocol (default GSSAPI). Without inter.broker.listener.name the
        // inter-broker protocol is security.inter.broker.protocol (default PLAINTEXT).
        if (p.TryGetValue("inter.broker.listener.name", out var interBroker) && map.GetValueOrDefault(interBroker) is "SASL_SSL" or "SASL_PLAINTEXT")
        {
            var mechanism = p.GetValueOrDefault("sasl.mechanism.inter.broker.protocol", "GSSAPI");
            if (!EnabledMechanisms(p, interBroker).Contains(mechanism))
                problems.Add("sasl.mechanism.inter.broker.protocol must be included in sasl.enabled.mechanisms when SASL is used for inter-broker communication");
            if (mechanism != ClusterSecurity.ScramMechanism)
                problems.Add($"brokers authenticate to each other with {mechanism}, not SCRAM-SHA-512");
        }
        if (p.GetValueOrDefault("sasl.mechanism.controller.protocol", "GSSAPI") != ClusterSecurity.ControllerMechanism)
            problems.Add("sasl.mechanism.controller.protocol is not PLAIN (Kafka's default is GSSAPI)");

        // DefaultSslEngineFactory, PEM with a location: no store passwords; the key unencrypted.
        foreach (var key in new[] { "ssl.keystore.password", "ssl.truststore.password", "ssl.key.password" })
            if (p.ContainsKey(key))
                problems.Add($"{key} cannot be specified with PEM format");
        if (p.GetValueOrDefault("ssl.keystore.type") != "PEM" || p.GetValueOrDefault("ssl.keystore.location") != ClusterSecurity.KeyStorePath)
            problems.Add("the key store is not the PEM file the boot writes");
        if (p.GetValueOrDefault("ssl.truststore.type") != "PEM" || p.GetValueOrDefault("ssl.truststore.location") != ClusterSecurity.CaCertificatePath)
            problems.Add("the trust store is not the CA certificate of the user data");

        if (p.GetValueOrDefault("authorizer.class.name") != ClusterSecurity.AuthorizerClass)
            problems.Add("no StandardAuthorizer");
        if (p.GetValueOrDefault("super.users") != "User:admin")
            problems.Add("the admin is not the one super user");
        if (p.GetValueOrDefault("allow.everyone.if.no.acl.found", "false") != "false")
            problems.Add("a resource without ACLs would be open to everyone");
        return problems;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_scram_tls_node_obeys_kafkas_sasl_and_pem_rules_and_kafkas_kraft_rules(int controllers, int brokers)
    {
        var spec = Clusters.WithCounts(controllers, brokers, Math.Min(3, Math.Max(controllers, brokers)));
        Assert.Equal(SecurityMode.ScramTls, spec.Security);

        foreach (var (node, p) in Nodes(spec))
        {
            var problems = Violations(p);
            Assert.True(problems.Count == 0, $"{node.Name}: {string.Join("; ", problems)}");
            Assert.Empty(KraftRules.Violations(p));
        }
    }

    [Fact]
    public void The_checker_catches_kafkas_default_mechanism_on_the_inter_broker_listener()
    {
        var (_, broker) = Nodes(new ClusterSpec()).First(n => n.Node.Role == NodeRole.Broker);
        broker.Remove("listener.name.client.sasl.enabled.mechanisms");

        Assert.Contains("sasl.mechanism.inter.broker.protocol must be included in sasl.enabled.mechanisms when SASL is used for inter-broker communication", Violations(broker));
    }

    [Fact]
    public void The_mechanism_brokers_speak_to_the_controllers_is_the_one_the_controller_listener_enables()
    {
        var nodes = Nodes(new ClusterSpec());
        var controllerListener = nodes[0].Properties["controller.listener.names"];

        foreach (var (node, p) in nodes.Where(n => n.Node.Role == NodeRole.Controller))
            Assert.Equal([ClusterSecurity.ControllerMechanism], EnabledMechanisms(p, controllerListener));
        foreach (var (node, p) in nodes)
            Assert.Equal(ClusterSecurity.ControllerMechanism, p["sasl.mechanism.controller.protocol"]);
    }

    [Fact]
    public void Clients_and_brokers_use_scram_on_the_client_listener_and_nothing_else_is_enabled_there()
    {
        foreach (var (node, p) in Nodes(new ClusterSpec()).Where(n => n.Node.Role == NodeRole.Broker))
        {
            Assert.Equal("CLIENT", p["inter.broker.listener.name"]);
            Assert.Equal([ClusterSecurity.ScramMechanism], EnabledMechanisms(p, "CLIENT"));
            Assert.False(p.ContainsKey("sasl.enabled.mechanisms"), "a global list would also apply to listeners without their own");
        }
    }

    [Fact]
    public void A_plaintext_node_has_no_sasl_ssl_or_authorizer_settings()
    {
        foreach (var (node, p) in Nodes(Clusters.Spec((Settings.Security, ClusterSecurity.PlaintextName))))
        {
            Assert.All(ProtocolMap(p).Values, protocol => Assert.Equal("PLAINTEXT", protocol));
            Assert.DoesNotContain(p.Keys, k => k.StartsWith("sasl.", StringComparison.Ordinal) || k.StartsWith("ssl.", StringComparison.Ordinal)
                                               || k.StartsWith("listener.name.", StringComparison.Ordinal) || k is "authorizer.class.name" or "super.users");
            Assert.Empty(KraftRules.Violations(p));
        }
    }

    [Fact]
    public void The_unit_points_kafka_at_the_jaas_file_the_boot_writes_and_only_on_scram_tls()
    {
        foreach (var security in new[] { ClusterSecurity.ScramTlsName, ClusterSecurity.PlaintextName })
            foreach (var (node, userData) in Clusters.Render(Clusters.Spec((Settings.Security, security))))
            {
                var unit = Clusters.Files(Clusters.Unpack(userData.Bytes))[NodeUserData.UnitPath].Content;
                var line = $"Environment=KAFKA_OPTS=-Djava.security.auth.login.config={ClusterSecurity.JaasPath}";
                if (security == ClusterSecurity.ScramTlsName)
                    Assert.Contains(line, unit);
                else
                    Assert.DoesNotContain("KAFKA_OPTS", unit);
            }
    }
}
