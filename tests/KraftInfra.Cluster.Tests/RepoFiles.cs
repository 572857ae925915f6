using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KraftInfra.Cluster.Tests;

/// <summary>The repository's own files (Pulumi.yaml, stacks, README, workflows), found from the test's folder.</summary>
public static class RepoFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>../shared beside the clone, where CI keeps Pulumi's project schema; a user's clone may lack it.</summary>
    public static string SharedPath(string relative) => Path.GetFullPath(Path.Combine(Root, "..", "shared", relative));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pulumi.yaml")) && File.Exists(Path.Combine(dir.FullName, "KraftInfra.csproj")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no Pulumi.yaml above {AppContext.BaseDirectory}");
    }

    public static YamlMappingNode LoadYaml(string relative)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(Read(relative)));
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    /// <summary>A YAML node as JSON, resolving plain scalars the way YAML 1.2's core schema does.</summary>
    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c =>
            KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
            return JsonValue.Create(text);
        if (text is "true" or "false")
            return JsonValue.Create(text == "true");
        if (text is "null" or "~" or "")
            return null;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            return JsonValue.Create(number);
        return JsonValue.Create(text);
    }
}
