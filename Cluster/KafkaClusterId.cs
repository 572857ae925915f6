namespace KraftInfra.Cluster;

/// <summary>
/// Kafka's own cluster id form. Kafka's <c>Uuid.toString()</c> is the URL-safe base64 of the 16
/// bytes (most significant half first) without padding: 22 characters, what
/// <c>kafka-storage.sh random-uuid</c> prints and what releases before 3.7 demand from
/// <c>format --cluster-id</c>. Pulumi's RandomUuid gives the hyphenated form of the same 128 bits.
/// </summary>
public static class KafkaClusterId
{
    /// <summary>Kafka reserves these two ids (<c>Uuid.ZERO_UUID</c> and <c>Uuid.METADATA_TOPIC_ID</c>).</summary>
    private static readonly Guid[] Reserved =
    [
        Guid.Parse("00000000-0000-0000-0000-000000000000"),
        Guid.Parse("00000000-0000-0000-0000-000000000001"),
    ];

    /// <summary>Converts a standard hyphenated UUID to Kafka's 22-character form.</summary>
    public static string FromUuid(string uuid)
    {
        if (!Guid.TryParseExact(uuid?.Trim(), "D", out var guid))
            throw new ArgumentException($"cluster id \"{uuid}\" is not a hyphenated UUID like 6b1f0c9e-2f5d-4c3a-9a8e-0f1d2c3b4a59", nameof(uuid));
        if (Reserved.Contains(guid))
            throw new ArgumentException($"cluster id \"{uuid}\" is one of the ids Kafka reserves", nameof(uuid));
        // Big-endian: the bytes in the order the hex digits are written.
        var bytes = guid.ToByteArray(bigEndian: true);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The reverse, for reading Kafka's form back (tests, tools).</summary>
    public static string ToUuid(string kafkaId)
    {
        if (kafkaId is null || kafkaId.Length != 22)
            throw new ArgumentException($"\"{kafkaId}\" is not a 22-character Kafka id", nameof(kafkaId));
        var base64 = kafkaId.Replace('-', '+').Replace('_', '/') + "==";
        var bytes = Convert.FromBase64String(base64);
        return new Guid(bytes, bigEndian: true).ToString("D");
    }
}
