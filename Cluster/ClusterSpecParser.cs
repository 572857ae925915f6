using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace KraftInfra.Cluster;

/// <summary>
/// Reads settings from string key/values, as Pulumi config gives them (arrays and objects as JSON
/// text), into a validated <see cref="ClusterSpec"/>. Keys are given without the project namespace.
/// </summary>
public static partial class ClusterSpecParser
{
    /// <summary>
    /// server.properties keys the node's identity, quorum, listeners and storage are built from.
    /// Overriding one would contradict what the topology, the security group and the boot steps
    /// assume, so extras may not set them.
    /// </summary>
    public static readonly IReadOnlySet<string> ReservedPropertyKeys = new SortedSet<string>(StringComparer.Ordinal)
    {
        "node.id", "broker.id", "process.roles",
        "controller.quorum.voters", "controller.quorum.bootstrap.servers",
        "listeners", "advertised.listeners", "controller.listener.names",
        "listener.security.protocol.map", "inter.broker.listener.name", "security.inter.broker.protocol",
        "log.dirs", "log.dir", "metadata.log.dir",
        "authorizer.class.name", "super.users", "allow.everyone.if.no.acl.found",
        "sasl.enabled.mechanisms", "sasl.mechanism.inter.broker.protocol", "sasl.mechanism.controller.protocol",
        "ssl.keystore.type", "ssl.keystore.location", "ssl.keystore.password", "ssl.key.password",
        "ssl.truststore.type", "ssl.truststore.location", "ssl.truststore.password",
    };

    /// <summary>Per-listener keys (listener.name.*) are kraft-infra's: they carry the listeners' security.</summary>
    public const string ReservedPropertyPrefix = "listener.name.";

    /// <summary>The oldest release whose tools this project's scripts use (kafka-metadata-quorum.sh --bootstrap-controller).</summary>
    public static readonly KafkaVersion OldestSupportedKafka = new(3, 7, 0);

    public static SpecResult Parse(IReadOnlyDictionary<string, string> values)
    {
        var r = new Reader(values);
        var d = new ClusterSpec();

        var clusterName = r.Text(Settings.ClusterName, d.ClusterName, ClusterNamePattern(),
            "lower-case letters, digits and hyphens, starting with a letter, not ending with a hyphen, at most 24 characters");
        var controllers = r.Integer(Settings.ControllerCount, d.ControllerCount, 1, 9);
        var brokers = r.Integer(Settings.BrokerCount, d.BrokerCount, 1, 60);
        var version = r.Version(d.KafkaVersion);
        var downloadUrl = r.HttpsUrl(Settings.KafkaDownloadUrl, d.KafkaDownloadUrl);
        var archiveUrl = r.HttpsUrl(Settings.KafkaArchiveUrl, d.KafkaArchiveUrl);
        var sha512 = r.Text(Settings.KafkaSha512, d.KafkaSha512, Sha512Pattern(),
            "empty, or the 128 hexadecimal digits of the tarball's SHA-512").ToLowerInvariant();
        var javaPackage = r.Text(Settings.JavaPackage, d.JavaPackage, PackageNamePattern(),
            "an Ubuntu package name such as openjdk-21-jre-headless");
        var vpc = r.Cidr(Settings.VpcCidr, d.VpcCidr, 16, 22);
        var zones = r.Integer(Settings.AvailabilityZoneCount, d.AvailabilityZoneCount, 1, 6);
        var architecture = r.OneOf(Settings.Architecture, d.Architecture, "x86_64", "arm64");
        var controllerType = r.Text(Settings.ControllerInstanceType, d.ControllerInstanceType, InstanceTypePattern(),
            "an EC2 instance type such as t3.medium");
        var brokerType = r.Text(Settings.BrokerInstanceType, d.BrokerInstanceType, InstanceTypePattern(),
            "an EC2 instance type such as t3.large");
        var controllerVolume = r.Integer(Settings.ControllerVolumeSizeGiB, d.ControllerVolumeSizeGiB, Gp3Limits.MinSizeGiB, Gp3Limits.MaxSizeGiB);
        var brokerVolume = r.Integer(Settings.BrokerVolumeSizeGiB, d.BrokerVolumeSizeGiB, Gp3Limits.MinSizeGiB, Gp3Limits.MaxSizeGiB);
        var iops = r.Integer(Settings.VolumeIops, d.VolumeIops, Gp3Limits.BaselineIops, Gp3Limits.MaxIops);
        var throughput = r.Integer(Settings.VolumeThroughputMiBps, d.VolumeThroughputMiBps, Gp3Limits.BaselineThroughputMiBps, Gp3Limits.MaxThroughputMiBps);
        var keepVolumes = r.Boolean(Settings.KeepDataVolumesOnDestroy, d.KeepDataVolumesOnDestroy);
        const string heapRule = "empty (computed from the node's memory) or a size such as 512m or 2g";
        var controllerHeap = r.Text(Settings.ControllerHeap, d.ControllerHeap, HeapPattern(), heapRule).ToLowerInvariant();
        var brokerHeap = r.Text(Settings.BrokerHeap, d.BrokerHeap, HeapPattern(), heapRule).ToLowerInvariant();
        var clientCidrs = r.CidrList(Settings.ClientCidrs);
        var clientPort = r.Integer(Settings.ClientPort, d.ClientPort, 1024, 65535);
        var controllerPort = r.Integer(Settings.ControllerPort, d.ControllerPort, 1024, 65535);
        var waitTimeout = r.Integer(Settings.ControllerWaitTimeoutSeconds, d.ControllerWaitTimeoutSeconds, 30, 3600);
        var controllerProps = r.Properties(Settings.ControllerProperties);
        var brokerProps = r.Properties(Settings.BrokerProperties);
        var sshCidr = r.OptionalCidr(Settings.SshCidr);
        var sshKey = r.Text(Settings.SshPublicKey, d.SshPublicKey, SshKeyPattern(),
            "empty, or one OpenSSH public key line such as 'ssh-ed25519 AAAA... me@host'");
        var waitForReady = r.Boolean(Settings.WaitForReady, d.WaitForReady);
        var readinessTimeout = r.Integer(Settings.ReadinessTimeoutSeconds, d.ReadinessTimeoutSeconds, 60, 7200);
        var topics = r.Topics(Settings.Topics, brokers, version ?? d.KafkaVersion);
        var confirmRemoval = r.Boolean(Settings.ConfirmNodeRemoval, d.ConfirmNodeRemoval);
        var metadataVersion = r.MetadataVersion(version);
        var securityGiven = values.ContainsKey(Settings.Security);
        var security = r.Security(d.Security);
        var users = r.Users(Settings.Users);
        var userPasswords = r.UserPasswords(Settings.UserPasswords, users);
        r.RejectUnknownKeys();
        if (security == SecurityMode.Plaintext && users.Count > 0)
            r.Error(Settings.Users, values[Settings.Users],
                $"no users with {Settings.Namespace}:{Settings.Security} = {ClusterSecurity.PlaintextName}: a plaintext listener authenticates no one (use {ClusterSecurity.ScramTlsName})");
        if (version is not null)
        {
            r.CheckPropertyTypes(Settings.ControllerProperties, controllerProps, version);
            r.CheckPropertyTypes(Settings.BrokerProperties, brokerProps, version);
            r.CheckReplicationAgainstTopology(brokers, version, brokerProps, topics);
            r.CheckControllerMinInsyncReplicas(brokers, version, controllerProps, brokerProps);
        }

        if (clientPort == controllerPort)
            r.Error(Settings.ControllerPort, controllerPort.ToString(CultureInfo.InvariantCulture),
                $"a port other than the client port ({Settings.Namespace}:{Settings.ClientPort} = {clientPort})");

        var iopsFits = true;
        foreach (var (sizeKey, size) in new[] { (Settings.ControllerVolumeSizeGiB, controllerVolume), (Settings.BrokerVolumeSizeGiB, brokerVolume) })
        {
            if (Gp3Limits.IopsProblem(sizeKey, size, iops) is not { } problem) continue;
            r.Error(Settings.VolumeIops, iops.ToString(CultureInfo.InvariantCulture), problem);
            iopsFits = false;
        }
        // Throughput is judged against IOPS a volume can really have, or one mistake reads as two.
        if (iopsFits && Gp3Limits.ThroughputProblem(iops, throughput) is { } throughputProblem)
            r.Error(Settings.VolumeThroughputMiBps, throughput.ToString(CultureInfo.InvariantCulture), throughputProblem);

        if (sshCidr.Length > 0 != sshKey.Length > 0)
        {
            var (set, missing) = sshCidr.Length > 0 ? (Settings.SshCidr, Settings.SshPublicKey) : (Settings.SshPublicKey, Settings.SshCidr);
            r.Error(missing, "", $"a value too, because {Settings.Namespace}:{set} is set; SSH opens only when both are given (or leave both empty and use SSM)");
        }

        if (version is not null && version.Major >= 4 && JavaMajor(javaPackage) is { } java && java < 17)
            r.Error(Settings.JavaPackage, javaPackage,
                $"a Java 17 or newer package: Kafka {version} brokers need Java 17 (e.g. openjdk-21-jre-headless)");

        // Fixed addresses: controllers from offset 10, brokers from offset 30 of their zone's subnet;
        // a subnet's last address is AWS's broadcast reservation.
        if (vpc is { } network)
        {
            var subnetSize = (long)network.Subnet(network.Prefix + Topology.SubnetPrefixExtension, 0).Size;
            var brokersPerZone = (brokers + zones - 1) / zones;
            if (Topology.FirstBrokerOffset + brokersPerZone > subnetSize - 1)
                r.Error(Settings.BrokerCount, brokers.ToString(CultureInfo.InvariantCulture),
                    $"at most {(subnetSize - 1 - Topology.FirstBrokerOffset) * zones} brokers with {Settings.Namespace}:{Settings.VpcCidr} = {network} "
                    + $"over {zones} zone(s); choose a larger VPC (a smaller prefix) or more zones");
        }

        var warnings = new List<string>();
        if (security == SecurityMode.Plaintext)
            warnings.Add($"{Settings.Namespace}:{Settings.Security} = {ClusterSecurity.PlaintextName}: every listener is PLAINTEXT without authentication; "
                         + "anyone who reaches the client port can read, write and delete topics. Use it for sandboxes only.");
        if (users.Count > 0 && !waitForReady)
            warnings.Add($"{Settings.Namespace}:{Settings.Users}: {users.Count} user(s) declared but {Settings.Namespace}:{Settings.WaitForReady} is false, "
                         + "so pulumi up neither waits for the cluster nor creates them.");
        if (topics.Count > 0 && !waitForReady)
            warnings.Add($"{Settings.Namespace}:{Settings.Topics}: {topics.Count} topic(s) declared but {Settings.Namespace}:{Settings.WaitForReady} is false, "
                         + "so pulumi up neither waits for the cluster nor applies them.");
        if (controllers < 3 || controllers % 2 == 0)
        {
            var tolerated = ClusterSpec.FailuresTolerated(controllers);
            var majority = controllers / 2 + 1;
            warnings.Add(
                $"{Settings.Namespace}:{Settings.ControllerCount} = {controllers}: the quorum needs {majority} of {controllers} controllers, "
                + $"so it tolerates {tolerated} controller failure{(tolerated == 1 ? "" : "s")}"
                + (controllers % 2 == 0 ? $"; {controllers - 1} controllers tolerate as many, {controllers + 1} tolerate one more" : "")
                + (controllers < 3 ? "; use 3 (or 5) for a cluster that survives losing a controller" : "") + ".");
        }

        if (r.Errors.Count > 0 || version is null || vpc is null)
            return new SpecResult(null, r.Errors, warnings);

        var spec = new ClusterSpec
        {
            ClusterName = clusterName,
            ControllerCount = controllers,
            BrokerCount = brokers,
            KafkaVersion = version,
            KafkaDownloadUrl = downloadUrl,
            KafkaArchiveUrl = archiveUrl,
            KafkaSha512 = sha512,
            JavaPackage = javaPackage,
            VpcCidr = vpc.Value,
            AvailabilityZoneCount = zones,
            Architecture = architecture,
            ControllerInstanceType = controllerType,
            BrokerInstanceType = brokerType,
            ControllerVolumeSizeGiB = controllerVolume,
            BrokerVolumeSizeGiB = brokerVolume,
            VolumeIops = iops,
            VolumeThroughputMiBps = throughput,
            KeepDataVolumesOnDestroy = keepVolumes,
            ControllerHeap = controllerHeap,
            BrokerHeap = brokerHeap,
            ClientCidrs = clientCidrs,
            ClientPort = clientPort,
            ControllerPort = controllerPort,
            ControllerWaitTimeoutSeconds = waitTimeout,
            ControllerProperties = controllerProps,
            BrokerProperties = brokerProps,
            SshCidr = sshCidr,
            SshPublicKey = sshKey,
            WaitForReady = waitForReady,
            ReadinessTimeoutSeconds = readinessTimeout,
            Topics = topics,
            ConfirmNodeRemoval = confirmRemoval,
            MetadataVersion = metadataVersion,
            Security = security,
            SecurityGiven = securityGiven,
            Users = users,
            UserPasswords = userPasswords,
        };
        var tooLarge = UserDataTooLarge(spec);
        return tooLarge.Count > 0 ? new SpecResult(null, tooLarge, warnings) : new SpecResult(spec, [], warnings);
    }

    /// <summary>
    /// EC2 refuses user data above 16 KB even gzipped. Render every node now, with cloud values of
    /// their longest realistic shape, so an oversized one is refused before anything is created.
    /// </summary>
    private static List<string> UserDataTooLarge(ClusterSpec spec)
    {
        var errors = new List<string>();
        var topology = Topology.Plan(spec);
        // Certificates of the shape the stack issues (their size barely varies); plaintext has none.
        using var certificates = spec.ScramTls ? new StandInCertificates(spec.ClusterName) : null;
        foreach (var node in topology.Nodes)
        {
            var facts = new NodeCloudFacts("ffffffff-ffff-4fff-bfff-ffffffffffff", "vol-fffffffffffffffff", "zone-name-of-twenty-c",
                certificates?.Issue(node).CertificatePem, certificates?.CaCertificatePem);
            try
            {
                NodeUserData.Render(spec, topology, node, facts);
            }
            catch (InvalidOperationException e)
            {
                var key = node.Role == NodeRole.Controller ? Settings.ControllerProperties : Settings.BrokerProperties;
                errors.Add($"{Settings.Namespace}:{key}: node {node.Name} would not fit EC2's user data: {e.Message}; shorten the extra properties.");
            }
        }
        return errors;
    }

    private static int? JavaMajor(string package) =>
        JavaPackageVersion().Match(package) is { Success: true } m
            ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
            : null;

    [GeneratedRegex("^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$")]
    private static partial Regex ClusterNamePattern();

    [GeneratedRegex("^([0-9a-fA-F]{128})?$")]
    private static partial Regex Sha512Pattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9+.-]+$")]
    private static partial Regex PackageNamePattern();

    [GeneratedRegex("^openjdk-([0-9]+)-")]
    private static partial Regex JavaPackageVersion();

    [GeneratedRegex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$")]
    private static partial Regex InstanceTypePattern();

    [GeneratedRegex("^([1-9][0-9]{0,5}[mMgG])?$")]
    private static partial Regex HeapPattern();

    [GeneratedRegex("^((ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\\.com) [A-Za-z0-9+/]+={0,3}( [^\\r\\n]*)?)?$")]
    private static partial Regex SshKeyPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex PropertyKeyPattern();

    /// <summary>Reads one key at a time, collecting every problem instead of stopping at the first.</summary>
    private sealed class Reader(IReadOnlyDictionary<string, string> values)
    {
        private readonly HashSet<string> _read = new(StringComparer.Ordinal);
        public List<string> Errors { get; } = [];

        public void Error(string key, string value, string accepted) =>
            Errors.Add($"{Settings.Namespace}:{key}: {Quote(value)} is not accepted; expected {accepted}.");

        private string? Raw(string key)
        {
            _read.Add(key);
            return values.TryGetValue(key, out var v) && v is not null ? v : null;
        }

        public string Text(string key, string fallback, Regex pattern, string accepted)
        {
            var raw = Raw(key);
            if (raw is null) return fallback;
            if (pattern.IsMatch(raw)) return raw;
            Error(key, raw, accepted);
            return fallback;
        }

        public string OneOf(string key, string fallback, params string[] allowed)
        {
            var raw = Raw(key);
            if (raw is null) return fallback;
            if (allowed.Contains(raw, StringComparer.Ordinal)) return raw;
            Error(key, raw, "one of " + string.Join(", ", allowed));
            return fallback;
        }

        public int Integer(string key, int fallback, int min, int max)
        {
            var raw = Raw(key);
            if (raw is null) return fallback;
            var range = max == int.MaxValue ? $"a whole number of at least {min}" : $"a whole number from {min} to {max}";
            if (int.TryParse(raw.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                && value >= min && value <= max)
                return value;
            Error(key, raw, range);
            return fallback;
        }

        public bool Boolean(string key, bool fallback)
        {
            var raw = Raw(key);
            if (raw is null) return fallback;
            switch (raw.Trim())
            {
                case "true": return true;
                case "false": return false;
                default:
                    Error(key, raw, "true or false");
                    return fallback;
            }
        }

        public KafkaVersion? Version(KafkaVersion fallback)
        {
            var raw = Raw(Settings.KafkaVersion);
            if (raw is null) return fallback;
            if (!KafkaVersion.TryParse(raw.Trim(), out var version))
            {
                Error(Settings.KafkaVersion, raw, $"a release number such as {fallback}");
                return null;
            }
            if (version.CompareTo(OldestSupportedKafka) < 0)
            {
                Error(Settings.KafkaVersion, raw,
                    $"{OldestSupportedKafka} or newer (the broker's controller wait uses kafka-metadata-quorum.sh --bootstrap-controller, added in 3.7)");
                return null;
            }
            return version;
        }

        /// <summary>A metadata version to finalize: one kraft-infra knows, no newer than the release runs.</summary>
        public string MetadataVersion(KafkaVersion? release)
        {
            var raw = Raw(Settings.MetadataVersion);
            if (string.IsNullOrWhiteSpace(raw)) return "";
            var requested = raw.Trim();
            if (release is not null && MetadataVersions.Problem(requested, release) is { } problem)
            {
                Error(Settings.MetadataVersion, raw, problem);
                return "";
            }
            return requested;
        }

        public string HttpsUrl(string key, string fallback)
        {
            var raw = Raw(key);
            if (raw is null) return fallback;
            var trimmed = raw.Trim().TrimEnd('/');
            if (Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps
                && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment)
                && trimmed.All(c => c > ' ' && c < 127 && c is not ('\'' or '"' or '\\' or '`' or '$')))
                return trimmed;
            Error(key, raw, "an https:// URL without query, quotes or spaces, such as " + fallback);
            return fallback;
        }

        public Ipv4Network? Cidr(string key, Ipv4Network fallback, int minPrefix, int maxPrefix)
        {
            var raw = Raw(key);
            if (raw is null) return fallback;
            if (!Ipv4Network.TryParse(raw.Trim(), out var network, out var reason))
            {
                Errors.Add($"{Settings.Namespace}:{key}: {Quote(raw)} {reason}; expected an IPv4 CIDR block from /{minPrefix} to /{maxPrefix} such as {fallback}.");
                return null;
            }
            if (network.Prefix < minPrefix || network.Prefix > maxPrefix)
            {
                Error(key, raw, $"a prefix length from /{minPrefix} to /{maxPrefix}, such as {fallback}");
                return null;
            }
            return network;
        }

        public string OptionalCidr(string key)
        {
            var raw = Raw(key);
            if (string.IsNullOrWhiteSpace(raw)) return "";
            return CheckedOpenCidr(key, raw.Trim()) is { } network ? network.ToString() : "";
        }

        public IReadOnlyList<Ipv4Network> CidrList(string key)
        {
            var raw = Raw(key);
            if (string.IsNullOrWhiteSpace(raw)) return [];
            List<string>? items = null;
            try
            {
                items = JsonSerializer.Deserialize<List<string>>(raw);
            }
            catch (JsonException)
            {
            }
            if (items is null)
            {
                Error(key, raw, "a list of IPv4 CIDR blocks, such as [\"10.1.0.0/16\"]");
                return [];
            }
            var result = new List<Ipv4Network>();
            foreach (var item in items)
            {
                if (CheckedOpenCidr(key, item?.Trim() ?? "") is { } network && !result.Contains(network))
                    result.Add(network);
            }
            return result;
        }

        /// <summary>A CIDR that a security group rule may open to: anything but the whole internet.</summary>
        private Ipv4Network? CheckedOpenCidr(string key, string text)
        {
            if (!Ipv4Network.TryParse(text, out var network, out var reason))
            {
                Errors.Add($"{Settings.Namespace}:{key}: {Quote(text)} {reason}; expected an IPv4 CIDR block such as 203.0.113.0/24.");
                return null;
            }
            if (network.Prefix == 0)
            {
                Error(key, text, "a network narrower than 0.0.0.0/0: the Kafka ports must not face the whole internet, authenticated or not");
                return null;
            }
            return network;
        }

        public IReadOnlyDictionary<string, string> Properties(string key)
        {
            var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
            var raw = Raw(key);
            if (string.IsNullOrWhiteSpace(raw)) return result;
            JsonElement root;
            try
            {
                root = JsonDocument.Parse(raw).RootElement;
            }
            catch (JsonException)
            {
                Error(key, raw, "an object of server.properties keys and values, such as {\"log.retention.hours\": \"168\"}");
                return result;
            }
            if (root.ValueKind != JsonValueKind.Object)
            {
                Error(key, raw, "an object of server.properties keys and values, such as {\"log.retention.hours\": \"168\"}");
                return result;
            }
            foreach (var property in root.EnumerateObject())
            {
                var name = property.Name;
                if (ReservedPropertyKeys.Contains(name) || name.StartsWith(ReservedPropertyPrefix, StringComparison.Ordinal))
                {
                    Errors.Add($"{Settings.Namespace}:{key}: the key {Quote(name)} is not accepted; kraft-infra sets it from the topology "
                               + "(node identity, controller quorum, listeners, security and log directories). Remove it; the reserved keys are "
                               + string.Join(", ", ReservedPropertyKeys) + $" and every key starting with {ReservedPropertyPrefix}.");
                    continue;
                }
                if (!PropertyKeyPattern().IsMatch(name))
                {
                    Error(key, name, "server.properties keys made of letters, digits, '.', '_' and '-'");
                    continue;
                }
                string? value = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                    _ => null,
                };
                if (value is null)
                {
                    Error(key, $"{name}: {property.Value.GetRawText()}", "a text, number or boolean value for each key");
                    continue;
                }
                result[name] = value;
            }
            return result;
        }

        /// <summary>
        /// The declared topics, checked as Kafka would (name rules, collisions) and against the
        /// cluster (a replication factor above the broker count can never be met).
        /// </summary>
        /// <summary>
        /// Extra server.properties values of a key Kafka types (see <see cref="KafkaConfigRules.ServerRules"/>)
        /// must parse as that type: otherwise the node's Kafka would refuse to start after it exists.
        /// </summary>
        public void CheckPropertyTypes(string key, IReadOnlyDictionary<string, string> properties, KafkaVersion version)
        {
            foreach (var (name, value) in properties)
            {
                if (KafkaConfigRules.Server(name, version) is not { } rule) continue;
                if (rule.Normalise(value).Problem is { } problem)
                    Error(key, $"{name}={value}", $"{problem} for {name} (Kafka {version} refuses anything else at start)");
            }
        }

        /// <summary>
        /// Replication settings that can't hold with this many brokers: a replication factor above
        /// the broker count (Kafka can never place the replicas), or a min.insync.replicas above the
        /// replication factor it applies to (every acks=all write, and every consumer offset commit
        /// for the offsets topic, would fail with NOT_ENOUGH_REPLICAS).
        /// </summary>
        public void CheckReplicationAgainstTopology(int brokerCount, KafkaVersion version,
            IReadOnlyDictionary<string, string> extras, IReadOnlyList<TopicSpec> topics)
        {
            var effective = KafkaProperties.DerivedReplication(brokerCount, version).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            foreach (var (name, value) in extras)
                effective[name] = value;
            long? Number(string name) =>
                effective.TryGetValue(name, out var text) && KafkaConfigRules.Server(name, version) is { } rule
                && rule.Normalise(text).Value is { } normal ? long.Parse(normal, CultureInfo.InvariantCulture) : null;

            var brokers = $"{Settings.Namespace}:{Settings.BrokerCount} = {brokerCount}";
            string[] factors = ["default.replication.factor", "offsets.topic.replication.factor",
                "transaction.state.log.replication.factor", "share.coordinator.state.topic.replication.factor"];
            foreach (var name in factors.Where(extras.ContainsKey))
            {
                if (Number(name) is { } factor && factor > brokerCount)
                    Error(Settings.BrokerProperties, $"{name}={extras[name]}",
                        $"a replication factor of at most {brokerCount} ({brokers}): Kafka can't place more replicas than brokers");
            }

            (string MinIsr, string Factor)[] pairs =
            [
                ("min.insync.replicas", "default.replication.factor"),
                ("min.insync.replicas", "offsets.topic.replication.factor"),
                ("transaction.state.log.min.isr", "transaction.state.log.replication.factor"),
                ("share.coordinator.state.topic.min.isr", "share.coordinator.state.topic.replication.factor"),
            ];
            var reported = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (minIsrKey, factorKey) in pairs)
            {
                if (!extras.ContainsKey(minIsrKey) && !extras.ContainsKey(factorKey)) continue;
                if (reported.Contains(minIsrKey)) continue;
                if (Number(minIsrKey) is not { } minIsr || Number(factorKey) is not { } factor || minIsr <= factor) continue;
                var given = extras.ContainsKey(minIsrKey) ? minIsrKey : factorKey;
                reported.Add(minIsrKey);
                Error(Settings.BrokerProperties, $"{given}={extras[given]}",
                    $"{minIsrKey} ({minIsr}) no higher than {factorKey} ({factor}"
                    + (extras.ContainsKey(factorKey) ? "" : $", derived from {brokers}")
                    + "): with more in-sync replicas required than exist, Kafka refuses every write that waits for them (NOT_ENOUGH_REPLICAS)");
            }

            var brokerMinIsr = Number("min.insync.replicas") ?? 1;
            for (var i = 0; i < topics.Count; i++)
            {
                var topic = topics[i];
                var topicMinIsr = topic.Config.TryGetValue("min.insync.replicas", out var own)
                    ? long.Parse(own, CultureInfo.InvariantCulture)
                    : brokerMinIsr;
                if (topicMinIsr <= topic.ReplicationFactor) continue;
                var from = own is null ? $"the brokers' min.insync.replicas = {brokerMinIsr}" : $"its config min.insync.replicas = {own}";
                Errors.Add($"{Settings.Namespace}:{Settings.Topics}[{_topicIndexes[topic]}]: topic \"{topic.Name}\" with replicationFactor {topic.ReplicationFactor} "
                           + $"is not accepted under {from}: every acks=all write to it would fail with NOT_ENOUGH_REPLICAS; "
                           + $"raise its replicationFactor or set \"config\": {{\"min.insync.replicas\": \"{topic.ReplicationFactor}\"}}.");
            }
        }

        /// <summary>Each accepted topic's position in the list, for messages that name it.</summary>
        private readonly Dictionary<TopicSpec, int> _topicIndexes = new(ReferenceEqualityComparer.Instance);

        /// <summary>
        /// From 4.1 (ELR) the cluster-wide min.insync.replicas is seeded from the active
        /// controller's static value and overrides the brokers' own; kraft-infra gives the
        /// controllers the brokers' value, so a different one in controllerProperties would
        /// silently replace what the brokers are configured with.
        /// </summary>
        public void CheckControllerMinInsyncReplicas(int brokerCount, KafkaVersion version,
            IReadOnlyDictionary<string, string> controllerProps, IReadOnlyDictionary<string, string> brokerProps)
        {
            if (!KafkaProperties.ElrSeedsMinInsyncReplicasFromControllers(version)) return;
            if (!controllerProps.TryGetValue("min.insync.replicas", out var onControllers)) return;
            var onBrokers = KafkaProperties.BrokerMinInsyncReplicas(brokerProps, brokerCount, version);
            if (onControllers.Trim() == onBrokers.Trim()) return;
            Error(Settings.ControllerProperties, $"min.insync.replicas={onControllers}",
                $"no min.insync.replicas here, or the brokers' value ({onBrokers}): from Kafka 4.1 the cluster-wide value is copied "
                + $"from the active controller's and overrides the brokers' (Eligible Leader Replicas, KIP-966); set it in {Settings.Namespace}:{Settings.BrokerProperties}");
        }

        /// <summary>
        /// The objects of a setting that is a JSON list of objects, each with its place (key[i]) and
        /// index; the setting, or an item, of another shape is an error naming <paramref name="shape"/>.
        /// </summary>
        private IEnumerable<(string At, int Index, JsonElement Item)> ObjectList(string key, string shape)
        {
            var raw = Raw(key);
            if (string.IsNullOrWhiteSpace(raw)) yield break;
            JsonElement root;
            try { root = JsonDocument.Parse(raw).RootElement; }
            catch (JsonException) { root = default; }
            if (root.ValueKind != JsonValueKind.Array)
            {
                Error(key, raw, shape);
                yield break;
            }
            var index = -1;
            foreach (var item in root.EnumerateArray())
            {
                index++;
                var at = $"{key}[{index}]";
                if (item.ValueKind == JsonValueKind.Object)
                    yield return (at, index, item);
                else
                    Error(at, item.GetRawText(), shape);
            }
        }

        public IReadOnlyList<TopicSpec> Topics(string key, int brokerCount, KafkaVersion version)
        {
            var result = new List<TopicSpec>();
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (at, index, item) in ObjectList(key,
                         "a list of {name, partitions, replicationFactor, config} objects, such as [{\"name\": \"orders\", \"partitions\": 6}]"))
            {
                var ok = true;
                string? name = null;
                int partitions = 1, factor = ClusterSpec.DefaultReplicationFactorFor(brokerCount);
                var config = new SortedDictionary<string, string>(StringComparer.Ordinal);
                foreach (var field in item.EnumerateObject())
                {
                    switch (field.Name)
                    {
                        case "name":
                            name = field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString() : null;
                            if (TopicNameProblem(name, field.Value.GetRawText()) is { } problem)
                            {
                                Errors.Add($"{Settings.Namespace}:{at}.name: {problem}");
                                ok = false;
                            }
                            break;
                        case "partitions":
                            ok &= WholeNumber(at + ".partitions", field.Value, 1, 1_000_000, out partitions);
                            break;
                        case "replicationFactor":
                            ok &= WholeNumber(at + ".replicationFactor", field.Value, 1, brokerCount, out factor,
                                $" (the cluster has {brokerCount} broker{(brokerCount == 1 ? "" : "s")}; Kafka can't place more replicas than brokers)");
                            break;
                        case "config":
                            ok &= TopicConfig(at + ".config", field.Value, config, version);
                            break;
                        default:
                            Errors.Add($"{Settings.Namespace}:{at}: unknown field \"{field.Name}\"; a topic has name, partitions, replicationFactor and config.");
                            ok = false;
                            break;
                    }
                }
                if (name is null)
                {
                    if (!item.TryGetProperty("name", out _))
                        Errors.Add($"{Settings.Namespace}:{at}: the topic has no name; every topic needs \"name\".");
                    continue;
                }
                // Kafka treats '.' and '_' alike in metric names and refuses topics that collide so.
                var unified = name.Replace('.', '_');
                if (seen.TryGetValue(unified, out var earlier))
                {
                    Errors.Add($"{Settings.Namespace}:{at}.name: \"{name}\" is not accepted; "
                               + (earlier == name ? "it is declared twice" : $"it collides with \"{earlier}\" ('.' and '_' count as the same character in Kafka's topic names)")
                               + "; declare each topic once.");
                    continue;
                }
                seen[unified] = name;
                if (ok)
                {
                    var topic = new TopicSpec(name, partitions, factor, config);
                    _topicIndexes[topic] = index;
                    result.Add(topic);
                }
            }
            return result;
        }

        private static string? TopicNameProblem(string? name, string rawValue)
        {
            const string rule = "expected 1 to 249 ASCII letters, digits, '.', '_' and '-', not \".\" or \"..\"";
            if (name is null)
                return $"{rawValue} is not accepted; {rule}.";
            if (name.Length == 0 || name.Length > TopicSpec.MaxNameLength || name is "." or ".."
                || !name.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-'))
                return $"{Quote(name)} is not accepted; {rule}.";
            if (TopicSpec.InternalTopics.Contains(name))
                return $"{Quote(name)} is not accepted; it is one of Kafka's internal topics, which Kafka creates itself.";
            return null;
        }

        private bool WholeNumber(string at, JsonElement value, int min, int max, out int number, string why = "")
        {
            number = 0;
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out number) && number >= min && number <= max)
                return true;
            if (value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out number)
                && number >= min && number <= max)
                return true;
            Errors.Add($"{Settings.Namespace}:{at}: {value.GetRawText()} is not accepted; expected a whole number from {min} to {max}{why}.");
            return false;
        }

        private bool TopicConfig(string at, JsonElement value, SortedDictionary<string, string> config, KafkaVersion version)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                Errors.Add($"{Settings.Namespace}:{at}: {value.GetRawText()} is not accepted; expected an object of topic-level config keys and values, such as {{\"retention.ms\": \"604800000\"}}.");
                return false;
            }
            var ok = true;
            foreach (var entry in value.EnumerateObject())
            {
                var rule = KafkaConfigRules.Topic(entry.Name, version);
                if (rule is null)
                {
                    Errors.Add(KafkaConfigRules.TopicKeyReleases(entry.Name) is { } releases
                        ? $"{Settings.Namespace}:{at}: {Quote(entry.Name)} is a topic-level config key of {releases}, not of Kafka {version} ({Settings.Namespace}:{Settings.KafkaVersion})."
                        : $"{Settings.Namespace}:{at}: {Quote(entry.Name)} is not a topic-level config key; the keys are "
                          + string.Join(", ", TopicSpec.TopicConfigKeys) + ".");
                    ok = false;
                    continue;
                }
                string? text = entry.Value.ValueKind switch
                {
                    JsonValueKind.String => entry.Value.GetString(),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => entry.Value.GetRawText(),
                    _ => null,
                };
                if (text is null || text.Any(char.IsControl))
                {
                    Errors.Add($"{Settings.Namespace}:{at}.{entry.Name}: {entry.Value.GetRawText()} is not accepted; expected a text, number or boolean value on one line.");
                    ok = false;
                    continue;
                }
                // Kept as Kafka prints it back, so the topics step compares like with like and a
                // second run with the same list alters nothing.
                var (normal, problem) = rule.Normalise(text);
                if (problem is not null)
                {
                    Errors.Add($"{Settings.Namespace}:{at}.{entry.Name}: {entry.Value.GetRawText()} is not accepted; expected {problem} (Kafka {version}'s rule for {entry.Name}).");
                    ok = false;
                    continue;
                }
                config[entry.Name] = normal!;
            }
            return ok;
        }

        public SecurityMode Security(SecurityMode fallback)
        {
            var raw = Raw(Settings.Security);
            if (raw is null) return fallback;
            if (ClusterSecurity.TryParse(raw, out var mode)) return mode;
            Error(Settings.Security, raw, $"one of {ClusterSecurity.ScramTlsName}, {ClusterSecurity.PlaintextName}");
            return fallback;
        }

        /// <summary>The declared users: names Kafka, Parameter Store and a principal all take, no duplicates, valid ACLs.</summary>
        public IReadOnlyList<KafkaUserSpec> Users(string key)
        {
            var result = new List<KafkaUserSpec>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (at, _, item) in ObjectList(key,
                         "a list of {name, acls} objects, such as [{\"name\": \"orders-app\", \"acls\": [{\"resource\": \"topic\", \"name\": \"orders\", \"operations\": [\"Read\", \"Write\"]}]}]"))
            {
                var ok = true;
                string? name = null;
                var acls = new List<KafkaAcl>();
                foreach (var field in item.EnumerateObject())
                {
                    switch (field.Name)
                    {
                        case "name":
                            name = field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString() : null;
                            if (name is null || !ClusterSecurity.UserNamePattern().IsMatch(name))
                            {
                                Error(at + ".name", name ?? field.Value.GetRawText(),
                                    "1 to 64 letters, digits, '.', '_' and '-', starting with a letter or digit (it becomes the principal User:NAME and a Parameter Store path)");
                                ok = false;
                            }
                            else if (name == ClusterSecurity.AdminUser)
                            {
                                Error(at + ".name", name, $"another name: {ClusterSecurity.AdminUser} is the cluster's own super user, created by kraft-infra");
                                ok = false;
                            }
                            else if (!seen.Add(name))
                            {
                                Error(at + ".name", name, "a name no other user in the list has (each user is declared once)");
                                ok = false;
                            }
                            break;
                        case "acls":
                            ok &= Acls(at + ".acls", field.Value, acls);
                            break;
                        default:
                            Error($"{at}.{field.Name}", field.Value.GetRawText(), "only the fields name and acls");
                            ok = false;
                            break;
                    }
                }
                if (name is null && ok)
                {
                    Error(at, item.GetRawText(), "a name for each user");
                    ok = false;
                }
                if (ok) result.Add(new KafkaUserSpec(name!, acls));
            }
            return result;
        }

        private bool Acls(string at, JsonElement value, List<KafkaAcl> acls)
        {
            const string shape = "a list of {resource, name, pattern, operations} objects, such as [{\"resource\": \"topic\", \"name\": \"orders\", \"operations\": [\"Read\"]}]";
            if (value.ValueKind != JsonValueKind.Array)
            {
                Error(at, value.GetRawText(), shape);
                return false;
            }
            var ok = true;
            var index = -1;
            foreach (var item in value.EnumerateArray())
            {
                index++;
                var here = $"{at}[{index}]";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    Error(here, item.GetRawText(), shape);
                    ok = false;
                    continue;
                }
                string? resource = null, name = null, pattern = "literal";
                var operations = new List<string>();
                var fine = true;
                foreach (var field in item.EnumerateObject())
                {
                    var text = field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString() : null;
                    switch (field.Name)
                    {
                        case "resource":
                            resource = text;
                            if (text is null || !ClusterSecurity.AclOperations.ContainsKey(text))
                            {
                                Error(here + ".resource", text ?? field.Value.GetRawText(), "one of " + string.Join(", ", ClusterSecurity.AclOperations.Keys));
                                fine = false;
                            }
                            break;
                        case "name":
                            name = text;
                            // kafka-acls.sh takes the name as one argument; a line break or an empty name is never meant.
                            if (text is null || text.Length == 0 || text.Any(char.IsControl) || text.Length > 249)
                            {
                                Error(here + ".name", text ?? field.Value.GetRawText(), "the resource's name (1 to 249 characters, no control characters), or \"*\" for all");
                                fine = false;
                            }
                            break;
                        case "pattern":
                            pattern = text;
                            if (text is not ("literal" or "prefixed"))
                            {
                                Error(here + ".pattern", text ?? field.Value.GetRawText(), "literal or prefixed");
                                fine = false;
                            }
                            break;
                        case "operations":
                            if (field.Value.ValueKind != JsonValueKind.Array || field.Value.GetArrayLength() == 0
                                || field.Value.EnumerateArray().Any(o => o.ValueKind != JsonValueKind.String))
                            {
                                Error(here + ".operations", field.Value.GetRawText(), "a non-empty list of operation names, such as [\"Read\", \"Describe\"]");
                                fine = false;
                                break;
                            }
                            operations.AddRange(field.Value.EnumerateArray().Select(o => o.GetString()!));
                            break;
                        default:
                            Error($"{here}.{field.Name}", field.Value.GetRawText(), "only the fields resource, name, pattern and operations");
                            fine = false;
                            break;
                    }
                }
                if (fine && resource is null)
                {
                    Error(here, item.GetRawText(), "a resource for each ACL (" + string.Join(", ", ClusterSecurity.AclOperations.Keys) + ")");
                    fine = false;
                }
                if (fine && resource == "cluster")
                {
                    // kafka-acls.sh --cluster names no resource: the cluster is kafka-cluster, literal.
                    if (name is not null and not "kafka-cluster" || pattern != "literal")
                    {
                        Error(here, item.GetRawText(), "no name (or kafka-cluster) and the literal pattern for the cluster resource");
                        fine = false;
                    }
                    name = "kafka-cluster";
                }
                if (fine && name is null)
                {
                    Error(here, item.GetRawText(), $"a name for the {resource} ACL (\"*\" for all)");
                    fine = false;
                }
                if (fine && name == "*" && pattern == "prefixed")
                {
                    Error(here + ".pattern", pattern, "literal with the name \"*\" (Kafka refuses a prefixed wildcard)");
                    fine = false;
                }
                if (fine)
                {
                    var valid = ClusterSecurity.AclOperations[resource!];
                    var wrong = operations.Where(o => !valid.Contains(o, StringComparer.Ordinal)).ToList();
                    if (wrong.Count > 0)
                    {
                        Error(here + ".operations", string.Join(", ", wrong), $"operations a {resource} takes: {string.Join(", ", valid)}");
                        fine = false;
                    }
                }
                if (fine) acls.Add(new KafkaAcl(resource!, name!, pattern!, operations.Distinct(StringComparer.Ordinal).ToList()));
                ok &= fine;
            }
            return ok;
        }

        /// <summary>
        /// The secret map of given passwords. Its problems name the user and the rule, never the
        /// password: the error is printed by pulumi up.
        /// </summary>
        public IReadOnlyDictionary<string, SecretText> UserPasswords(string key, IReadOnlyList<KafkaUserSpec> users)
        {
            var result = new SortedDictionary<string, SecretText>(StringComparer.Ordinal);
            var raw = Raw(key);
            if (string.IsNullOrWhiteSpace(raw)) return result;
            JsonElement root;
            try { root = JsonDocument.Parse(raw).RootElement; }
            catch (JsonException) { root = default; }
            if (root.ValueKind != JsonValueKind.Object)
            {
                Errors.Add($"{Settings.Namespace}:{key}: the value (not shown: it is secret) is not accepted; expected an object of user names and passwords, "
                           + $"such as {{\"orders-app\": \"...\"}}, set with pulumi config set --secret --path '{Settings.Namespace}:{key}.orders-app'.");
                return result;
            }
            var declared = users.Select(u => u.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var entry in root.EnumerateObject())
            {
                if (!declared.Contains(entry.Name))
                {
                    Errors.Add($"{Settings.Namespace}:{key}: a password is given for {Quote(entry.Name)}, which {Settings.Namespace}:{Settings.Users} does not declare; "
                               + $"declare the user or remove its password (declared: {(declared.Count == 0 ? "none" : string.Join(", ", declared.Order(StringComparer.Ordinal)))}).");
                    continue;
                }
                if (entry.Value.ValueKind != JsonValueKind.String)
                {
                    Errors.Add($"{Settings.Namespace}:{key}.{entry.Name}: the value (not shown: it is secret) is not accepted; expected a text password.");
                    continue;
                }
                var password = entry.Value.GetString()!;
                if (ClusterSecurity.PasswordProblem(password) is { } problem)
                {
                    Errors.Add($"{Settings.Namespace}:{key}.{entry.Name}: the password (not shown: it is secret) is not accepted; expected {problem}.");
                    continue;
                }
                result[entry.Name] = new SecretText(password);
            }
            return result;
        }

        public void RejectUnknownKeys()
        {
            foreach (var key in values.Keys.Where(k => !_read.Contains(k)).Order(StringComparer.Ordinal))
            {
                var suggestion = Settings.All.MinBy(s => Distance(s.Key.ToLowerInvariant(), key.ToLowerInvariant()))!.Key;
                Errors.Add($"{Settings.Namespace}:{key}: unknown setting; did you mean {Settings.Namespace}:{suggestion}? "
                           + "The settings are listed in Pulumi.yaml and the README.");
            }
        }

        private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

        private static int Distance(string a, string b)
        {
            var previous = Enumerable.Range(0, b.Length + 1).ToArray();
            for (var i = 1; i <= a.Length; i++)
            {
                var current = new int[b.Length + 1];
                current[0] = i;
                for (var j = 1; j <= b.Length; j++)
                    current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
            return previous[b.Length];
        }
    }
}
