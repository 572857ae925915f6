using Pulumi;

namespace KraftInfra.Components;

internal static class Tags
{
    /// <summary>The Cluster library's tags as the InputMap every AWS resource's Tags takes.</summary>
    public static InputMap<string> ToInputMap(this IReadOnlyDictionary<string, string> tags)
    {
        var map = new InputMap<string>();
        foreach (var (key, value) in tags)
            map.Add(key, value);
        return map;
    }
}
