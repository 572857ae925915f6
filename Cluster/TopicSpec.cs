using System.Text;
using System.Text.Json;

namespace KraftInfra.Cluster;

/// <summary>A topic the stack declares: created through a broker, raised and configured, never deleted.</summary>
public sealed record TopicSpec(string Name, int Partitions, int ReplicationFactor, IReadOnlyDictionary<string, string> Config)
{
    /// <summary>Kafka's rules for topic names (org.apache.kafka.common.internals.Topic).</summary>
    public const int MaxNameLength = 249;

    /// <summary>Topic-level config keys the broker accepts (TopicConfig plus the replication throttles, Kafka 4.3).</summary>
    public static readonly IReadOnlySet<string> TopicConfigKeys = new SortedSet<string>(StringComparer.Ordinal)
    {
        "cleanup.policy", "compression.gzip.level", "compression.lz4.level", "compression.type", "compression.zstd.level",
        "delete.retention.ms", "file.delete.delay.ms", "flush.messages", "flush.ms", "follower.replication.throttled.replicas",
        "index.interval.bytes", "leader.replication.throttled.replicas", "local.retention.bytes", "local.retention.ms",
        "max.compaction.lag.ms", "max.message.bytes", "message.timestamp.after.max.ms", "message.timestamp.before.max.ms",
        "message.timestamp.type", "min.cleanable.dirty.ratio", "min.compaction.lag.ms", "min.insync.replicas", "preallocate",
        "remote.log.copy.disable", "remote.log.delete.on.disable", "remote.storage.enable", "retention.bytes", "retention.ms",
        "segment.bytes", "segment.index.bytes", "segment.jitter.ms", "segment.ms", "unclean.leader.election.enable",
    };

    /// <summary>Topics Kafka creates and manages itself.</summary>
    public static readonly IReadOnlySet<string> InternalTopics = new SortedSet<string>(StringComparer.Ordinal)
    {
        "__cluster_metadata", "__consumer_offsets", "__share_group_state", "__transaction_state",
    };

    /// <summary>
    /// The topic list as the node's topics step receives it: base64 of a JSON array, every field
    /// explicit, in declaration order. Data, never shell; the node validates it again.
    /// </summary>
    public static string EncodePayload(IReadOnlyList<TopicSpec> topics)
    {
        var json = JsonSerializer.Serialize(topics.Select(t => new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["name"] = t.Name,
            ["partitions"] = t.Partitions,
            ["replicationFactor"] = t.ReplicationFactor,
            ["config"] = new SortedDictionary<string, string>(t.Config.ToDictionary(), StringComparer.Ordinal),
        }));
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
    }
}
