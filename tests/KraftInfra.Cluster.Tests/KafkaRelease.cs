using System.Text;

namespace KraftInfra.Cluster.Tests;

/// <summary>
/// How one Kafka release's admin tools print what the node scripts read, as read in Kafka's
/// source at the release tags (MetadataQuorumCommand, ToolsUtils.prettyPrintTable, Node.toString,
/// TopicCommand, ConfigCommand). The script tests run once per release line so a layout that
/// changed between releases is seen. Layouts were read up to 4.2.1; the default release, 4.3.1,
/// is taken to print as 4.2 does (no 4.3 source could be read).
/// </summary>
public sealed record KafkaRelease(string Version)
{
    public static readonly KafkaRelease V3_7 = new("3.7.2");
    public static readonly KafkaRelease V3_8 = new("3.8.1");
    public static readonly KafkaRelease V3_9 = new("3.9.1");
    public static readonly KafkaRelease V4_0 = new("4.0.1");
    public static readonly KafkaRelease Default = new(new ClusterSpec().KafkaVersion.ToString());

    private KafkaVersion Parsed => KafkaVersion.Parse(Version);

    private bool AtLeast(int major, int minor) => Parsed.AtLeast(major, minor);

    public override string ToString() => Version;

    /// <summary>describe --status (the voter and observer lists changed in 3.9 and 4.1).</summary>
    public string QuorumStatus(int leaderId, IEnumerable<(int Id, string Endpoint)> voters, IEnumerable<(int Id, string DirectoryId)> observers)
    {
        string votersText, observersText;
        if (!AtLeast(3, 9))
        {
            votersText = "[" + string.Join(",", voters.Select(v => v.Id)) + "]";
            observersText = "[" + string.Join(",", observers.Select(o => o.Id)) + "]";
        }
        else
        {
            // Static voters have no directory id: 3.9 and 4.0 print null, 4.1 leaves the field out.
            var noDirectory = AtLeast(4, 1) ? "" : "\"directoryId\": null, ";
            votersText = "[" + string.Join(", ", voters.Select(v => $"{{\"id\": {v.Id}, {noDirectory}\"endpoints\": [\"CONTROLLER://{v.Endpoint}\"]}}")) + "]";
            observersText = "[" + string.Join(", ", observers.Select(o => $"{{\"id\": {o.Id}, \"directoryId\": \"{o.DirectoryId}\"}}")) + "]";
        }
        return "ClusterId:              MkU3OEVBNTcwNTJENDM2Qk\n"
               + $"LeaderId:               {leaderId}\n"
               + "LeaderEpoch:            7\n"
               + "HighWatermark:          15822\n"
               + "MaxFollowerLag:         0\n"
               + "MaxFollowerLagTimeMs:   0\n"
               + $"CurrentVoters:          {votersText}\n"
               + $"CurrentObservers:       {observersText}\n";
    }

    public sealed record Replica(int Id, long Lag, long LastCaughtUp, string Status, string DirectoryId = "AAAAAAAAAAAAAAAAAAAAAA");

    /// <summary>
    /// describe --replication: ToolsUtils.prettyPrintTable, every cell padded with spaces to its
    /// column's width and followed by a tab (the last too); DirectoryId only from 3.9 (static
    /// voters print the zero id, 22 A's).
    /// </summary>
    public string QuorumReplication(params Replica[] replicas)
    {
        const long leaderEnd = 15822;
        var withDirectory = AtLeast(3, 9);
        var header = new List<string> { "NodeId" };
        if (withDirectory) header.Add("DirectoryId");
        header.AddRange(["LogEndOffset", "Lag", "LastFetchTimestamp", "LastCaughtUpTimestamp", "Status"]);
        var rows = new List<List<string>> { header };
        foreach (var r in replicas)
        {
            var row = new List<string> { r.Id.ToString() };
            if (withDirectory) row.Add(r.DirectoryId);
            row.AddRange([(leaderEnd - r.Lag).ToString(), r.Lag.ToString(), r.LastCaughtUp == -1 ? "-1" : "1785400000123", r.LastCaughtUp.ToString(), r.Status]);
            rows.Add(row);
        }
        var widths = Enumerable.Range(0, header.Count).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Count; i++)
                sb.Append(row[i].PadRight(widths[i])).Append('\t');
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>
    /// What kafka-metadata-quorum.sh prints on stderr (exit 1) when no controller leads: the
    /// admin client retries until default.api.timeout.ms, then the tool prints the
    /// ExecutionException's message and the stack trace.
    /// </summary>
    public static string QuorumTimeout =>
        "org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeMetadataQuorum\n"
        + "java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeMetadataQuorum\n"
        + "\tat java.base/java.util.concurrent.CompletableFuture.reportGet(CompletableFuture.java:396)\n"
        + "\tat org.apache.kafka.tools.MetadataQuorumCommand.handleDescribeStatus(MetadataQuorumCommand.java:253)\n"
        + "Caused by: org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeMetadataQuorum\n";

    /// <summary>
    /// One block of kafka-broker-api-versions.sh: Node.toString (from 4.0 with isFenced, always
    /// false: fenced brokers are not in the metadata the tool reads), " -> ", then the versions
    /// or "ERROR: " and the failure.
    /// </summary>
    public string Broker(int id, string host, string rack = "null", string? error = null)
    {
        var node = AtLeast(4, 0)
            ? $"{host}:9092 (id: {id} rack: {rack} isFenced: false)"
            : $"{host}:9092 (id: {id} rack: {rack})";
        if (error is not null)
            return $"{node} -> ERROR: {error}\n";
        return $"{node} -> (\n\tProduce(0): 3 to 12 [usable: 12],\n\tFetch(1): 4 to 17 [usable: 17],\n\tApiVersions(18): 0 to 4 [usable: 4],\n\tDescribeCluster(60): 0 to 2 [usable: 2]\n)\n";
    }

    /// <summary>kafka-broker-api-versions.sh when no bootstrap server answers (stderr, exit 1).</summary>
    public string BrokerApiUnreachable(string bootstrap)
    {
        var nodes = AtLeast(4, 0) ? $"[{bootstrap} (id: -1 rack: null)]" : $"List({bootstrap} (id: -1 rack: null))";
        if (AtLeast(4, 2)) nodes = $"[{bootstrap} (id: -1 rack: null isFenced: false)]";
        var message = $"Request METADATA failed on brokers {nodes}";
        return AtLeast(4, 0)
            ? $"{message}\njava.lang.RuntimeException: {message}\n\tat org.apache.kafka.tools.BrokerApiVersionsCommand$AdminClient.sendAnyNode(BrokerApiVersionsCommand.java:233)\n"
            : $"Exception in thread \"main\" java.lang.RuntimeException: {message}\n\tat kafka.admin.BrokerApiVersionsCommand$AdminClient.sendAnyNode(BrokerApiVersionsCommand.scala:160)\n";
    }

    /// <summary>One partition line of kafka-topics.sh --describe (PartitionDescription.printDescription).</summary>
    public string PartitionLine(string topic, int partition, string leader, string replicas, string isr) =>
        $"\tTopic: {topic}\tPartition: {partition}\tLeader: {leader}\tReplicas: {replicas}\tIsr: {isr}"
        + (PartitionLinesHaveElr ? "\tElr: \tLastKnownElr: " : "") + "\n";

    /// <summary>TopicCommand's partition lines carry Elr and LastKnownElr from 3.8.</summary>
    public bool PartitionLinesHaveElr => AtLeast(3, 8);

    /// <summary>TopicCommand's text for a missing topic: 3.8 to 4.0 print the Optional (fixed in 4.1).</summary>
    public string MissingTopic(string topic) =>
        AtLeast(3, 8) && !AtLeast(4, 1)
            ? $"Topic 'Optional[{topic}]' does not exist as expected"
            : $"Topic '{topic}' does not exist as expected";
}
