namespace KraftInfra.Cluster;

/// <summary>
/// Every setting of a kraft-infra cluster, already validated. The property initialisers are the
/// one source of defaults: <see cref="Settings"/> reads them for Pulumi.yaml and the README, and
/// <see cref="ClusterSpecParser"/> falls back to them for every key a stack leaves unset.
/// </summary>
public sealed record ClusterSpec
{
    /// <summary>Used in node names, AWS Name tags and the <c>cluster</c> tag.</summary>
    public string ClusterName { get; init; } = "kraft";

    public int ControllerCount { get; init; } = 2;
    public int BrokerCount { get; init; } = 2;

    /// <summary>
    /// Apache Kafka 4.3.1 (released 2026-06-25), the newest release on Kafka's own downloads page
    /// when this default was chosen; see README "Kafka version".
    /// </summary>
    public KafkaVersion KafkaVersion { get; init; } = KafkaVersion.Parse("4.3.1");

    /// <summary>Apache's main download site; releases leave it once superseded.</summary>
    public string KafkaDownloadUrl { get; init; } = "https://downloads.apache.org/kafka";

    /// <summary>Apache's archive: every release stays there.</summary>
    public string KafkaArchiveUrl { get; init; } = "https://archive.apache.org/dist/kafka";

    /// <summary>Lower-case hex SHA-512 of the Kafka tarball, or empty to use Apache's .sha512 file.</summary>
    public string KafkaSha512 { get; init; } = "";

    public string JavaPackage { get; init; } = "openjdk-21-jre-headless";

    public Ipv4Network VpcCidr { get; init; } = new(0x0A2A0000, 16); // 10.42.0.0/16
    public int AvailabilityZoneCount { get; init; } = 2;

    /// <summary>CPU architecture of the Ubuntu image: x86_64 or arm64. Instance types must match.</summary>
    public string Architecture { get; init; } = "x86_64";

    public string ControllerInstanceType { get; init; } = "t3.medium";
    public string BrokerInstanceType { get; init; } = "t3.large";

    public int ControllerVolumeSizeGiB { get; init; } = 20;
    public int BrokerVolumeSizeGiB { get; init; } = 100;
    public int VolumeIops { get; init; } = 3000;
    public int VolumeThroughputMiBps { get; init; } = 125;

    /// <summary>When true, <c>pulumi destroy</c> leaves the data volumes in the account.</summary>
    public bool KeepDataVolumesOnDestroy { get; init; }

    /// <summary>JVM heap such as "2g" or "512m"; empty means computed on the node from its memory.</summary>
    public string ControllerHeap { get; init; } = "";
    public string BrokerHeap { get; init; } = "";

    public IReadOnlyList<Ipv4Network> ClientCidrs { get; init; } = [];
    public int ClientPort { get; init; } = 9092;
    public int ControllerPort { get; init; } = 9093;

    /// <summary>How long a broker's start waits for the controller quorum before systemd retries.</summary>
    public int ControllerWaitTimeoutSeconds { get; init; } = 300;

    public IReadOnlyDictionary<string, string> ControllerProperties { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
    public IReadOnlyDictionary<string, string> BrokerProperties { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Source CIDR allowed to SSH in; SSH stays closed unless this and the key are set.</summary>
    public string SshCidr { get; init; } = "";
    public string SshPublicKey { get; init; } = "";

    public bool SshEnabled => SshCidr.Length > 0 && SshPublicKey.Length > 0;

    /// <summary>When true, pulumi up ends only once the quorum has a caught-up leader and every broker is registered.</summary>
    public bool WaitForReady { get; init; } = true;

    /// <summary>How long pulumi up waits for the cluster to be ready (and for each topics step).</summary>
    public int ReadinessTimeoutSeconds { get; init; } = 1200;

    /// <summary>The metadata.version to finalize after the nodes run the release (e.g. 4.1-IV1); empty: none.</summary>
    public string MetadataVersion { get; init; } = "";

    /// <summary>Whether a lower node count may delete the nodes that leave the topology (see <see cref="NodeRemoval"/>).</summary>
    public bool ConfirmNodeRemoval { get; init; }

    /// <summary>SASL_SSL with SCRAM and the stack's CA (the default), or plaintext for sandboxes.</summary>
    public SecurityMode Security { get; init; } = SecurityMode.ScramTls;

    /// <summary>
    /// Whether the stack sets <c>security</c> itself: an existing cluster whose nodes run another
    /// mode than the default is refused unless the stack says which it wants.
    /// </summary>
    public bool SecurityGiven { get; init; }

    /// <summary>Declared SCRAM users (scram-tls only), each with the ACLs it is granted.</summary>
    public IReadOnlyList<KafkaUserSpec> Users { get; init; } = [];

    /// <summary>Passwords the stack gives for declared users (secret config); the others get a RandomPassword.</summary>
    public IReadOnlyDictionary<string, SecretText> UserPasswords { get; init; } = new SortedDictionary<string, SecretText>(StringComparer.Ordinal);

    public bool ScramTls => Security == SecurityMode.ScramTls;

    /// <summary>Topics the stack declares; applied through a broker after the readiness check.</summary>
    public IReadOnlyList<TopicSpec> Topics { get; init; } = [];

    /// <summary>
    /// The broker count the derived replication settings come from: the count the cluster was
    /// created with (read back from its instances' replication-basis tag), so that adding brokers
    /// changes no existing node; the broker count itself for a new cluster.
    /// </summary>
    public int? ReplicationBasis { get; init; }

    public int ReplicationBrokerCount => ReplicationBasis ?? BrokerCount;

    /// <summary>Kafka's default of 3 replicas, capped at what the brokers can hold.</summary>
    public static int DefaultReplicationFactorFor(int brokerCount) => Math.Min(3, brokerCount);

    public string InstanceType(NodeRole role) => role == NodeRole.Controller ? ControllerInstanceType : BrokerInstanceType;
    public int VolumeSizeGiB(NodeRole role) => role == NodeRole.Controller ? ControllerVolumeSizeGiB : BrokerVolumeSizeGiB;
    public string Heap(NodeRole role) => role == NodeRole.Controller ? ControllerHeap : BrokerHeap;
    public IReadOnlyDictionary<string, string> ExtraProperties(NodeRole role) =>
        role == NodeRole.Controller ? ControllerProperties : BrokerProperties;

    /// <summary>How many controllers may fail with the quorum still electing a leader.</summary>
    public int ControllerFailuresTolerated => FailuresTolerated(ControllerCount);

    /// <summary>A quorum needs a majority: n controllers survive (n - 1) / 2 failures.</summary>
    public static int FailuresTolerated(int controllerCount) => (controllerCount - 1) / 2;
}
