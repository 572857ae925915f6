using System.Text.Json;
using KraftInfra.Cluster;
using YamlDotNet.RepresentationModel;

namespace KraftInfra.Render;

/// <summary>
/// A Pulumi stack file (Pulumi.&lt;stack&gt;.yaml) read the way Pulumi hands config to the program:
/// the project's keys without their namespace, scalars as text, lists and maps as JSON.
/// Secure (encrypted) values can't be decrypted without Pulumi: they are left out and named.
/// </summary>
public sealed record StackFile(IReadOnlyDictionary<string, string> Values, IReadOnlyList<string> SecureKeys, string? Region)
{
    public static StackFile Load(string path)
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(path))
            yaml.Load(reader);

        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var secure = new List<string>();
        string? region = null;
        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root
            || !root.Children.TryGetValue(new YamlScalarNode("config"), out var configNode))
            return new StackFile(values, secure, region);
        if (configNode is not YamlMappingNode config)
            throw new InvalidDataException($"{path}: 'config' is not a mapping");

        foreach (var (keyNode, valueNode) in config.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            if (key == "aws:region" && valueNode is YamlScalarNode r)
                region = r.Value;
            var prefix = Settings.Namespace + ":";
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
                continue;
            var name = key[prefix.Length..];
            if (valueNode is YamlMappingNode map && map.Children.ContainsKey(new YamlScalarNode("secure")))
            {
                secure.Add(key);
                continue;
            }
            values[name] = valueNode is YamlScalarNode scalar ? scalar.Value ?? "" : ToJson(valueNode);
        }
        return new StackFile(values, secure, region);
    }

    private static string ToJson(YamlNode node) => JsonSerializer.Serialize(ToPlain(node));

    private static object? ToPlain(YamlNode node) => node switch
    {
        YamlScalarNode s => s.Value,
        YamlSequenceNode seq => seq.Children.Select(ToPlain).ToList(),
        YamlMappingNode map => map.Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value ?? "", c => ToPlain(c.Value)),
        _ => null,
    };
}
