using System.Globalization;
using System.Text.RegularExpressions;

namespace KraftInfra.Cluster;

/// <summary>The value types of Kafka's ConfigDef that kraft-infra checks.</summary>
public enum KafkaConfigType
{
    Boolean,
    Short,
    Int,
    Long,
    Double,
    String,
    List,
}

/// <summary>
/// One Kafka config key as Kafka's ConfigDef defines it: type, validator, and the releases that
/// know it. <see cref="Normalise"/> parses a value the way ConfigDef.parseType does and prints it
/// back the way ConfigDef.convertToString does, which is how kafka-configs.sh --describe shows a
/// topic's value: a declared "compact, delete" reads back as "compact,delete", "0.50" as "0.5".
/// </summary>
public sealed partial record KafkaConfigRule(
    string Key,
    KafkaConfigType Type,
    long? AtLeast = null,
    long? AtMost = null,
    IReadOnlyList<string>? OneOf = null,
    KafkaVersion? Since = null,
    KafkaVersion? Before = null,
    Func<IReadOnlyList<string>, string?>? ListRule = null,
    long? OrEqualTo = null)
{
    public bool KnownTo(KafkaVersion version) =>
        (Since is null || version.CompareTo(Since) >= 0) && (Before is null || version.CompareTo(Before) < 0);

    /// <summary>The value as Kafka prints it back, or the reason Kafka would refuse it.</summary>
    public (string? Value, string? Problem) Normalise(string raw)
    {
        // ConfigDef.parseType trims every string value before parsing it.
        var trimmed = raw.Trim();
        switch (Type)
        {
            case KafkaConfigType.Boolean:
                if (trimmed.Equals("true", StringComparison.OrdinalIgnoreCase)) return ("true", null);
                if (trimmed.Equals("false", StringComparison.OrdinalIgnoreCase)) return ("false", null);
                return (null, "true or false");
            case KafkaConfigType.Short:
            case KafkaConfigType.Int:
            case KafkaConfigType.Long:
            {
                var (min, max, name) = Type switch
                {
                    KafkaConfigType.Short => ((long)short.MinValue, (long)short.MaxValue, "a 16-bit whole number"),
                    KafkaConfigType.Int => ((long)int.MinValue, (long)int.MaxValue, "a 32-bit whole number"),
                    _ => (long.MinValue, long.MaxValue, "a 64-bit whole number"),
                };
                if (!WholeNumber().IsMatch(trimmed)
                    || !long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                    || number < min || number > max)
                    return (null, name + Range());
                if (!InRange(number)) return (null, name + Range());
                return (number.ToString(CultureInfo.InvariantCulture), null);
            }
            case KafkaConfigType.Double:
            {
                if (!DecimalNumber().IsMatch(trimmed)
                    || !double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                    || double.IsInfinity(number))
                    return (null, "a decimal number" + Range());
                if ((AtLeast is { } lo && number < lo) || (AtMost is { } hi && number > hi))
                    return (null, "a decimal number" + Range());
                return (JavaDouble.ToString(number), null);
            }
            case KafkaConfigType.List:
            {
                // ConfigDef: an empty value is the empty list; otherwise split at commas with any
                // white space around them, and print back joined by "," alone.
                var items = trimmed.Length == 0 ? [] : ListSeparator().Split(trimmed);
                if (OneOf is not null && items.FirstOrDefault(i => !OneOf.Contains(i, StringComparer.Ordinal)) is { } bad)
                    return (null, $"a comma-separated list of {string.Join(", ", OneOf)} (\"{bad}\" is not one)");
                if (ListRule?.Invoke(items) is { } problem)
                    return (null, problem);
                return (string.Join(",", items), null);
            }
            default:
                if (OneOf is not null && !OneOf.Contains(trimmed, StringComparer.Ordinal))
                    return (null, "one of " + string.Join(", ", OneOf));
                return (trimmed, null);
        }
    }

    private bool InRange(long number) =>
        (OrEqualTo is { } special && number == special)
        || ((AtLeast is not { } lo || number >= lo) && (AtMost is not { } hi || number <= hi));

    private string Range()
    {
        var range = (AtLeast, AtMost) switch
        {
            ({ } lo, { } hi) => $" from {lo} to {hi}",
            ({ } lo, null) => $" of at least {lo}",
            (null, { } hi) => $" of at most {hi}",
            _ => "",
        };
        return OrEqualTo is { } special ? $"{range} or {special}" : range;
    }

    // Java's Integer.parseInt/Long.parseLong: an optional sign and decimal digits, nothing else.
    [GeneratedRegex("^[+-]?[0-9]+$")]
    private static partial Regex WholeNumber();

    // The decimal forms of Double.parseDouble; its hexadecimal, NaN, Infinity and d/f suffixes are refused.
    [GeneratedRegex("^[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?$")]
    private static partial Regex DecimalNumber();

    [GeneratedRegex("\\s*,\\s*")]
    private static partial Regex ListSeparator();
}

/// <summary>
/// The config keys kraft-infra checks, read from Kafka's source at each supported release tag:
/// topic-level keys from LogConfig's topic ConfigDef, broker keys from LogConfig's server
/// ConfigDef, ReplicationConfigs, GroupCoordinatorConfig, TransactionLogConfig and
/// ShareCoordinatorConfig.
/// </summary>
public static partial class KafkaConfigRules
{
    private static readonly KafkaVersion V3_8 = new(3, 8, 0);
    private static readonly KafkaVersion V3_9 = new(3, 9, 0);
    private static readonly KafkaVersion V4_0 = new(4, 0, 0);
    private static readonly KafkaVersion V4_1 = new(4, 1, 0);

    private static readonly string[] CleanupPolicies = ["compact", "delete"];
    private static readonly string[] TimestampTypes = ["CreateTime", "LogAppendTime"];

    /// <summary>BrokerCompressionType's names, the same from 3.7 to 4.1.</summary>
    private static readonly string[] CompressionTypes = ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"];

    /// <summary>ThrottledReplicaListValidator: the literal '*' or partition:broker pairs.</summary>
    private static string? ThrottledReplicas(IReadOnlyList<string> items) =>
        items.All(i => ReplicaPair().IsMatch(i)) || string.Concat(items) == "*"
            ? null
            : "the literal * or a list of [partitionId]:[brokerId] pairs such as 0:1,1:2";

    public static readonly IReadOnlyList<KafkaConfigRule> TopicRules =
    [
        new("cleanup.policy", KafkaConfigType.List, OneOf: CleanupPolicies),
        new("compression.gzip.level", KafkaConfigType.Int, 1, 9, OrEqualTo: -1, Since: V3_8),
        new("compression.lz4.level", KafkaConfigType.Int, 1, 17, Since: V3_8),
        new("compression.type", KafkaConfigType.String, OneOf: CompressionTypes),
        new("compression.zstd.level", KafkaConfigType.Int, -131072, 22, Since: V3_8),
        new("delete.retention.ms", KafkaConfigType.Long, 0),
        new("file.delete.delay.ms", KafkaConfigType.Long, 0),
        new("flush.messages", KafkaConfigType.Long, 1),
        new("flush.ms", KafkaConfigType.Long, 0),
        new("follower.replication.throttled.replicas", KafkaConfigType.List, ListRule: ThrottledReplicas),
        new("index.interval.bytes", KafkaConfigType.Int, 0),
        new("leader.replication.throttled.replicas", KafkaConfigType.List, ListRule: ThrottledReplicas),
        new("local.retention.bytes", KafkaConfigType.Long, -2),
        new("local.retention.ms", KafkaConfigType.Long, -2),
        new("max.compaction.lag.ms", KafkaConfigType.Long, 1),
        new("max.message.bytes", KafkaConfigType.Int, 0),
        new("message.downconversion.enable", KafkaConfigType.Boolean, Before: V4_0),
        new("message.timestamp.after.max.ms", KafkaConfigType.Long, 0),
        new("message.timestamp.before.max.ms", KafkaConfigType.Long, 0),
        new("message.timestamp.type", KafkaConfigType.String, OneOf: TimestampTypes),
        new("min.cleanable.dirty.ratio", KafkaConfigType.Double, 0, 1),
        new("min.compaction.lag.ms", KafkaConfigType.Long, 0),
        new("min.insync.replicas", KafkaConfigType.Int, 1),
        new("preallocate", KafkaConfigType.Boolean),
        new("remote.log.copy.disable", KafkaConfigType.Boolean, Since: V3_9),
        new("remote.log.delete.on.disable", KafkaConfigType.Boolean, Since: V3_9),
        new("remote.storage.enable", KafkaConfigType.Boolean),
        new("retention.bytes", KafkaConfigType.Long),
        new("retention.ms", KafkaConfigType.Long, -1),
        // 4.1 raised the topic-level minimum from a record's overhead (14 bytes) to 1 MiB.
        new("segment.bytes", KafkaConfigType.Int, 14, Before: V4_1),
        new("segment.bytes", KafkaConfigType.Int, 1024 * 1024, Since: V4_1),
        new("segment.index.bytes", KafkaConfigType.Int, 4),
        new("segment.jitter.ms", KafkaConfigType.Long, 0),
        new("segment.ms", KafkaConfigType.Long, 1),
        new("unclean.leader.election.enable", KafkaConfigType.Boolean),
    ];

    public static readonly IReadOnlyList<KafkaConfigRule> ServerRules =
    [
        new("auto.create.topics.enable", KafkaConfigType.Boolean),
        new("default.replication.factor", KafkaConfigType.Int, 1),
        new("log.cleanup.policy", KafkaConfigType.List, OneOf: CleanupPolicies),
        new("log.flush.interval.messages", KafkaConfigType.Long, 1),
        new("log.message.timestamp.type", KafkaConfigType.String, OneOf: TimestampTypes),
        new("log.preallocate", KafkaConfigType.Boolean),
        new("log.retention.bytes", KafkaConfigType.Long),
        new("log.retention.hours", KafkaConfigType.Int),
        new("log.retention.minutes", KafkaConfigType.Int),
        new("log.retention.ms", KafkaConfigType.Long),
        new("log.roll.hours", KafkaConfigType.Int, 1),
        // 4.0 raised the broker-level minimum from a record's overhead (14 bytes) to 1 MiB.
        new("log.segment.bytes", KafkaConfigType.Int, 14, Before: V4_0),
        new("log.segment.bytes", KafkaConfigType.Int, 1024 * 1024, Since: V4_0),
        new("min.insync.replicas", KafkaConfigType.Int, 1),
        new("num.partitions", KafkaConfigType.Int, 1),
        new("offsets.topic.replication.factor", KafkaConfigType.Short, 1),
        new("share.coordinator.state.topic.min.isr", KafkaConfigType.Short, 1, Since: V4_0),
        new("share.coordinator.state.topic.replication.factor", KafkaConfigType.Short, 1, Since: V4_0),
        new("transaction.state.log.min.isr", KafkaConfigType.Int, 1),
        new("transaction.state.log.replication.factor", KafkaConfigType.Short, 1),
        new("unclean.leader.election.enable", KafkaConfigType.Boolean),
    ];

    public static KafkaConfigRule? Topic(string key, KafkaVersion version) =>
        TopicRules.FirstOrDefault(r => r.Key == key && r.KnownTo(version));

    public static KafkaConfigRule? Server(string key, KafkaVersion version) =>
        ServerRules.FirstOrDefault(r => r.Key == key && r.KnownTo(version));

    /// <summary>The releases that know a topic key, for a message about one the chosen release doesn't.</summary>
    public static string? TopicKeyReleases(string key)
    {
        var rules = TopicRules.Where(r => r.Key == key).ToList();
        if (rules.Count == 0) return null;
        if (rules.Any(r => r.Since is null && r.Before is null)) return "every supported release";
        var since = rules.Select(r => r.Since).Any(s => s is null) ? null : rules.Min(r => r.Since);
        var before = rules.Select(r => r.Before).Any(b => b is null) ? null : rules.Max(r => r.Before);
        return (since, before) switch
        {
            ({ } s, null) => $"Kafka {s} and newer",
            (null, { } b) => $"Kafka releases before {b}",
            ({ } s, { } b) => $"Kafka {s} up to {b}",
            _ => "every supported release",
        };
    }

    [GeneratedRegex("^([0-9]+:[0-9]+)?$")]
    private static partial Regex ReplicaPair();
}

/// <summary>Java's Double.toString, which Kafka uses to print a DOUBLE config back.</summary>
public static class JavaDouble
{
    public static string ToString(double value)
    {
        if (value == 0) return double.IsNegative(value) ? "-0.0" : "0.0";
        // .NET's "R" gives the shortest digits that round-trip, as Java 19 and newer do.
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = value < 0;
        var (digits, exponent) = Digits(shortest.TrimStart('-'));
        var magnitude = Math.Abs(value);
        string body;
        if (magnitude >= 1e-3 && magnitude < 1e7)
        {
            // Plain notation with at least one digit after the point.
            var pointAt = exponent + 1;
            string whole, fraction;
            if (pointAt <= 0)
            {
                whole = "0";
                fraction = new string('0', -pointAt) + digits;
            }
            else if (pointAt >= digits.Length)
            {
                whole = digits + new string('0', pointAt - digits.Length);
                fraction = "0";
            }
            else
            {
                whole = digits[..pointAt];
                fraction = digits[pointAt..];
            }
            body = whole + "." + fraction;
        }
        else
        {
            body = digits[..1] + "." + (digits.Length > 1 ? digits[1..] : "0") + "E" + exponent.ToString(CultureInfo.InvariantCulture);
        }
        return negative ? "-" + body : body;
    }

    /// <summary>The significant digits (no leading or trailing zeros) and the decimal exponent of the first.</summary>
    private static (string Digits, int Exponent) Digits(string text)
    {
        var exponent = 0;
        var at = text.IndexOfAny(['E', 'e']);
        if (at >= 0)
        {
            exponent = int.Parse(text[(at + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..at];
        }
        var point = text.IndexOf('.');
        var intPart = point >= 0 ? text[..point] : text;
        var fracPart = point >= 0 ? text[(point + 1)..] : "";
        var all = intPart + fracPart;
        var firstNonZero = all.IndexOfAny("123456789".ToCharArray());
        var digits = all[firstNonZero..].TrimEnd('0');
        // The first significant digit sits (intPart.Length - 1 - firstNonZero) places from the point.
        return (digits.Length == 0 ? "0" : digits, exponent + intPart.Length - 1 - firstNonZero);
    }
}
