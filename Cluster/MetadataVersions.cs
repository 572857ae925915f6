namespace KraftInfra.Cluster;

/// <summary>
/// Kafka's metadata versions that kraft-infra can finalize: their feature levels
/// (server-common MetadataVersion, read at the release tags; a released level never changes) and
/// each release line's newest production version (LATEST_PRODUCTION), which is as far as that
/// release may be finalized. kafka-features.sh --feature takes the level, not the name.
/// </summary>
public static class MetadataVersions
{
    public static readonly IReadOnlyDictionary<string, int> Levels = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["3.7-IV0"] = 15, ["3.7-IV1"] = 16, ["3.7-IV2"] = 17, ["3.7-IV3"] = 18, ["3.7-IV4"] = 19,
        ["3.8-IV0"] = 20, ["3.9-IV0"] = 21,
        ["4.0-IV0"] = 22, ["4.0-IV1"] = 23, ["4.0-IV2"] = 24, ["4.0-IV3"] = 25,
        ["4.1-IV0"] = 26, ["4.1-IV1"] = 27,
        ["4.2-IV0"] = 28, ["4.2-IV1"] = 29,
    };

    /// <summary>LATEST_PRODUCTION by release line, 3.7 to 4.2 (read at 3.7.0, 3.8.0, 3.9.1, 4.0.1, 4.1.1 and 4.2.1).</summary>
    private static readonly IReadOnlyDictionary<(int, int), string> LatestProduction = new Dictionary<(int, int), string>
    {
        [(3, 7)] = "3.7-IV4", [(3, 8)] = "3.8-IV0", [(3, 9)] = "3.9-IV0",
        [(4, 0)] = "4.0-IV3", [(4, 1)] = "4.1-IV1", [(4, 2)] = "4.2-IV1",
    };

    /// <summary>
    /// The newest version a release may be finalized to, as far as kraft-infra knows: for a
    /// release newer than 4.2 (whose source could not be read), 4.2's.
    /// </summary>
    public static string NewestFor(KafkaVersion release) =>
        LatestProduction.TryGetValue((release.Major, release.Minor), out var v) ? v
        : release.CompareTo(new KafkaVersion(4, 2, 0)) > 0 ? LatestProduction[(4, 2)]
        : throw new ArgumentOutOfRangeException(nameof(release), release, "older than the oldest supported release");

    /// <summary>Why a requested version is refused for this release, or null when it may be finalized.</summary>
    public static string? Problem(string requested, KafkaVersion release)
    {
        if (!Levels.TryGetValue(requested, out var level))
            return $"empty, or a metadata version kraft-infra knows: {string.Join(", ", Levels.Keys)}";
        var newest = NewestFor(release);
        if (level > Levels[newest])
            return $"at most {newest}, the newest metadata version Kafka {release} ({Settings.Namespace}:{Settings.KafkaVersion}) runs"
                   + (release.CompareTo(new KafkaVersion(4, 2, 99)) > 0 ? " as far as kraft-infra knows" : "")
                   + "; roll every node onto a newer release first";
        return null;
    }

    /// <summary>The finalize step's argument: the level and the name, e.g. 27:4.1-IV1.</summary>
    public static string FinalizeArgument(string version) => $"{Levels[version]}:{version}";
}
