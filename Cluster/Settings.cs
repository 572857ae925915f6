namespace KraftInfra.Cluster;

/// <summary>The type of a setting as Pulumi's project config schema names it.</summary>
public enum SettingType
{
    String,
    Integer,
    Boolean,
    Array,
    Object,
}

/// <summary>One config key: its name (without the project namespace), type, default and meaning.</summary>
/// <param name="Default">A string, int, bool, string list or string map: what Pulumi.yaml declares.</param>
/// <param name="Secret">Declared secret in Pulumi.yaml: Pulumi then refuses a plain value for it.</param>
public sealed record Setting(string Key, SettingType Type, object Default, string Description, bool Secret = false)
{
    /// <summary>The key as a stack file spells it, e.g. <c>kraft-infra:brokerCount</c>.</summary>
    public string QualifiedKey => $"{Settings.Namespace}:{Key}";
}

/// <summary>
/// Every config key kraft-infra reads. Defaults come from <see cref="ClusterSpec"/>'s initialisers
/// so Pulumi.yaml, the README (both checked by tests) and tools/render can't drift from the code.
/// </summary>
public static class Settings
{
    /// <summary>The Pulumi project name, which is also the config namespace.</summary>
    public const string Namespace = "kraft-infra";

    public const string ClusterName = "clusterName";
    public const string ControllerCount = "controllerCount";
    public const string BrokerCount = "brokerCount";
    public const string KafkaVersion = "kafkaVersion";
    public const string KafkaDownloadUrl = "kafkaDownloadUrl";
    public const string KafkaArchiveUrl = "kafkaArchiveUrl";
    public const string KafkaSha512 = "kafkaSha512";
    public const string JavaPackage = "javaPackage";
    public const string VpcCidr = "vpcCidr";
    public const string AvailabilityZoneCount = "availabilityZoneCount";
    public const string Architecture = "architecture";
    public const string ControllerInstanceType = "controllerInstanceType";
    public const string BrokerInstanceType = "brokerInstanceType";
    public const string ControllerVolumeSizeGiB = "controllerVolumeSizeGiB";
    public const string BrokerVolumeSizeGiB = "brokerVolumeSizeGiB";
    public const string VolumeIops = "volumeIops";
    public const string VolumeThroughputMiBps = "volumeThroughputMiBps";
    public const string KeepDataVolumesOnDestroy = "keepDataVolumesOnDestroy";
    public const string ControllerHeap = "controllerHeap";
    public const string BrokerHeap = "brokerHeap";
    public const string ClientCidrs = "clientCidrs";
    public const string ClientPort = "clientPort";
    public const string ControllerPort = "controllerPort";
    public const string ControllerWaitTimeoutSeconds = "controllerWaitTimeoutSeconds";
    public const string ControllerProperties = "controllerProperties";
    public const string BrokerProperties = "brokerProperties";
    public const string SshCidr = "sshCidr";
    public const string SshPublicKey = "sshPublicKey";
    public const string WaitForReady = "waitForReady";
    public const string ReadinessTimeoutSeconds = "readinessTimeoutSeconds";
    public const string Topics = "topics";
    public const string ConfirmNodeRemoval = "confirmNodeRemoval";
    public const string MetadataVersion = "metadataVersion";
    public const string Security = "security";
    public const string Users = "users";
    public const string UserPasswords = "userPasswords";

    public static IReadOnlyList<Setting> All { get; } = Build();

    public static Setting Get(string key) =>
        All.FirstOrDefault(s => s.Key == key) ?? throw new ArgumentException($"no setting named {key}", nameof(key));

    private static List<Setting> Build()
    {
        var d = new ClusterSpec();
        return
        [
            new(ClusterName, SettingType.String, d.ClusterName,
                "Name used in node names, AWS Name tags and the cluster tag: lower-case letters, digits and hyphens, at most 24 characters."),
            new(ControllerCount, SettingType.Integer, d.ControllerCount,
                "Number of KRaft controllers (1 to 9). An odd number of 3 or more tolerates controller failures; 2 tolerates none."),
            new(BrokerCount, SettingType.Integer, d.BrokerCount,
                "Number of brokers (1 to 60). Replication factors are capped at this count."),
            new(KafkaVersion, SettingType.String, d.KafkaVersion.ToString(),
                "Apache Kafka release to install (Scala 2.13 build), 3.7.0 or newer."),
            new(KafkaDownloadUrl, SettingType.String, d.KafkaDownloadUrl,
                "HTTPS base URL of Apache's main download site; the node fetches <url>/<version>/kafka_2.13-<version>.tgz."),
            new(KafkaArchiveUrl, SettingType.String, d.KafkaArchiveUrl,
                "HTTPS base URL of Apache's archive, tried when the release has left the main download site."),
            new(KafkaSha512, SettingType.String, d.KafkaSha512,
                "Pinned SHA-512 (128 hex digits) of the Kafka tarball. Empty: verify against Apache's published .sha512 file."),
            new(JavaPackage, SettingType.String, d.JavaPackage,
                "Ubuntu package that provides Java on the nodes."),
            new(VpcCidr, SettingType.String, d.VpcCidr.ToString(),
                "IPv4 CIDR of the VPC, /16 to /22; each availability zone gets a subnet a sixteenth of its size."),
            new(AvailabilityZoneCount, SettingType.Integer, d.AvailabilityZoneCount,
                "How many availability zones (1 to 6) the nodes are spread over, round robin per role."),
            new(Architecture, SettingType.String, d.Architecture,
                "CPU architecture of the Ubuntu image: x86_64 or arm64. The instance types must be of the same architecture."),
            new(ControllerInstanceType, SettingType.String, d.ControllerInstanceType, "EC2 instance type of the controllers."),
            new(BrokerInstanceType, SettingType.String, d.BrokerInstanceType, "EC2 instance type of the brokers."),
            new(ControllerVolumeSizeGiB, SettingType.Integer, d.ControllerVolumeSizeGiB, "Size in GiB (1 to 65536) of each controller's gp3 data volume."),
            new(BrokerVolumeSizeGiB, SettingType.Integer, d.BrokerVolumeSizeGiB, "Size in GiB (1 to 65536) of each broker's gp3 data volume."),
            new(VolumeIops, SettingType.Integer, d.VolumeIops, "Provisioned IOPS of every gp3 data volume: 3000 (gp3's included baseline) to 80000, and at most 500 per GiB of each role's volume."),
            new(VolumeThroughputMiBps, SettingType.Integer, d.VolumeThroughputMiBps,
                "Provisioned throughput in MiB/s of every gp3 data volume: 125 (gp3's included baseline) to 2000, and at most a quarter of volumeIops."),
            new(KeepDataVolumesOnDestroy, SettingType.Boolean, d.KeepDataVolumesOnDestroy,
                "When true, pulumi destroy leaves the data volumes in the account (they keep costing money) instead of deleting them."),
            new(ControllerHeap, SettingType.String, d.ControllerHeap,
                "JVM heap of the controllers, e.g. 1g or 512m. Empty: half the node's memory, at most 4g, computed on the node at each start."),
            new(BrokerHeap, SettingType.String, d.BrokerHeap,
                "JVM heap of the brokers, e.g. 4g. Empty: half the node's memory, at most 6g, computed on the node at each start."),
            new(ClientCidrs, SettingType.Array, new List<string>(),
                "Extra IPv4 CIDRs allowed to reach the brokers' client port (nodes of the cluster always may). Never 0.0.0.0/0, even with scram-tls."),
            new(ClientPort, SettingType.Integer, d.ClientPort, "Brokers' client and inter-broker listener port."),
            new(ControllerPort, SettingType.Integer, d.ControllerPort, "Controllers' KRaft listener port."),
            new(ControllerWaitTimeoutSeconds, SettingType.Integer, d.ControllerWaitTimeoutSeconds,
                "How long (30 to 3600 s) a broker's start waits for the controller quorum before it fails and systemd retries."),
            new(ControllerProperties, SettingType.Object, new SortedDictionary<string, string>(StringComparer.Ordinal),
                "Extra server.properties entries for the controllers (key: value). Identity, quorum, listener and log directory keys are refused."),
            new(BrokerProperties, SettingType.Object, new SortedDictionary<string, string>(StringComparer.Ordinal),
                "Extra server.properties entries for the brokers (key: value), applied last. Identity, quorum, listener and log directory keys are refused."),
            new(SshCidr, SettingType.String, d.SshCidr,
                "IPv4 CIDR allowed to SSH to the nodes. SSH stays closed unless this and sshPublicKey are both set; SSM needs neither."),
            new(SshPublicKey, SettingType.String, d.SshPublicKey,
                "OpenSSH public key installed for the ubuntu user when SSH is enabled."),
            new(WaitForReady, SettingType.Boolean, d.WaitForReady,
                "When true, pulumi up ends only once the controller quorum has a caught-up leader and every broker is registered (checked on a broker through SSM), then applies topics."),
            new(ReadinessTimeoutSeconds, SettingType.Integer, d.ReadinessTimeoutSeconds,
                "How long (60 to 7200 s) pulumi up waits for the cluster to become ready before the update fails (the instances stay)."),
            new(Topics, SettingType.Array, new List<Dictionary<string, object>>(),
                "Topics to create through a broker: a list of {name, partitions (default 1), replicationFactor (default min(3, brokerCount)), config (topic-level keys)}. Partitions are only ever raised; removing a topic from the list does not delete it."),
            new(MetadataVersion, SettingType.String, d.MetadataVersion,
                "Kafka metadata version to finalize once every node runs the release, e.g. 4.1-IV1 (kafka-features.sh upgrade --feature metadata.version; kraft.version is left alone). Empty: never finalized by kraft-infra. Never lowered; at most the newest version kafkaVersion runs."),
            new(Security, SettingType.String, d.Security.ToSettingValue(),
                "How the listeners are secured: scram-tls (SASL_SSL everywhere: SCRAM-SHA-512 for clients and brokers, PLAIN for the controller listener, certificates from the stack's CA, StandardAuthorizer) or plaintext (no authentication or encryption; sandboxes only, warned at preview). An existing cluster is never switched between them."),
            new(Users, SettingType.Array, new List<Dictionary<string, object>>(),
                "SCRAM-SHA-512 users to create (scram-tls only): a list of {name, acls}, acls a list of {resource (topic, group, cluster, transactional-id), name, pattern (literal or prefixed), operations}. Each gets a generated password unless userPasswords gives one. ACLs are only ever added."),
            new(UserPasswords, SettingType.Object, new SortedDictionary<string, string>(StringComparer.Ordinal),
                $"Passwords for declared users (name: password), a secret (pulumi config set --secret --path): {ClusterSecurity.MinPasswordLength} to {ClusterSecurity.MaxPasswordLength} printable ASCII characters other than space, double quote and backslash. Changing one rotates it; users left out get a generated password.",
                Secret: true),
            new(ConfirmNodeRemoval, SettingType.Boolean, d.ConfirmNodeRemoval,
                "When true, a change that lowers brokerCount or controllerCount may delete the nodes (instances and, unless kept, data volumes) that leave the topology. Move their partitions off first (kafka-reassign-partitions.sh)."),
        ];
    }
}
