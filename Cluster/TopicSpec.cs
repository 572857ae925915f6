using System.Text;
using System.Text.Json;

namespace KraftInfra.Cluster;

/// <summary>A topic the stack declares: created through a broker, raised and configured, never deleted.</summary>
public sealed record TopicSpec(string Name, int Partitions, int ReplicationFactor, IReadOnlyDictionary<string, string> Config)
{
    /// <summary>Kafka's rules for topic names (org.apache.kafka.common.internals.Topic).</summary>
    public const int MaxNameLength = 249;

    /// <summary>Topic-level config keys some supported release accepts (see <see cref="KafkaConfigRules.TopicRules"/>).</summary>
    public static readonly IReadOnlySet<string> TopicConfigKeys =
        new SortedSet<string>(KafkaConfigRules.TopicRules.Select(r => r.Key), StringComparer.Ordinal);

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
