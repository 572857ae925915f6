using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace KraftInfra.Cluster.Tests;

/// <summary>
/// Pulumi.yaml and the dev stack, checked the way the Pulumi CLI checks them when it loads a
/// project, and against the code: one source of defaults, so pulumi up and tools/render agree.
/// </summary>
public class ProjectFileTests
{
    private static JsonObject Project => (JsonObject)RepoFiles.ToJson(RepoFiles.LoadYaml("Pulumi.yaml"))!;
    private static JsonObject Config => (JsonObject)Project["config"]!;

    [SkippableFact]
    public void Pulumi_yaml_passes_pulumis_own_project_schema()
    {
        var schemaPath = RepoFiles.SharedPath("pulumi/project.schema.json");
        Skip.IfNot(File.Exists(schemaPath), $"skipped: Pulumi's project schema is not at {schemaPath} (CI keeps it in ../shared; a plain clone has none)");
        var schema = JsonSchema.FromText(File.ReadAllText(schemaPath));
        using var document = JsonDocument.Parse(Project.ToJsonString());

        var result = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.True(result.IsValid, string.Join("\n", (result.Details ?? [])
            .Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }

    [Fact]
    public void The_project_is_kraft_infra_on_dotnet_with_a_description()
    {
        Assert.Equal(Settings.Namespace, (string?)Project["name"]);
        Assert.Equal("dotnet", (string?)Project["runtime"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)Project["description"]));
    }

    [Fact]
    public void Every_config_key_obeys_the_rules_the_pulumi_cli_adds_to_the_schema()
    {
        foreach (var (key, node) in Config)
        {
            var declaration = Assert.IsType<JsonObject>(node);
            var foreign = key.Contains(':') && !key.StartsWith(Settings.Namespace + ":", StringComparison.Ordinal);
            if (foreign)
            {
                Assert.True(declaration.ContainsKey("value") && !declaration.ContainsKey("type") && !declaration.ContainsKey("default"),
                    $"{key}: a key of another namespace takes only a value");
                continue;
            }
            Assert.False(declaration.ContainsKey("default") && declaration.ContainsKey("value"), $"{key}: has both default and value");
            var type = (string?)declaration["type"];
            if (type == "array")
                Assert.True(declaration["items"] is JsonObject, $"{key}: an array type needs items");
            // Declared with neither default nor value, a key is required and a stack without it is refused.
            Assert.True(declaration.ContainsKey("default"), $"{key}: has no default, so every stack would have to set it");
            Assert.True(MatchesType(declaration["default"], type), $"{key}: default {declaration["default"]?.ToJsonString()} is not a {type}");
        }
    }

    [Fact]
    public void Pulumi_yaml_declares_every_setting_with_the_codes_type_default_and_description()
    {
        Assert.Equal(Settings.All.Select(s => s.Key).Order(), Config.Select(c => c.Key).Order());
        foreach (var setting in Settings.All)
        {
            var declaration = (JsonObject)Config[setting.Key]!;
            Assert.Equal(setting.Type.ToString().ToLowerInvariant(), (string?)declaration["type"]);
            Assert.Equal(setting.Description, (string?)declaration["description"]);
            var expected = JsonSerializer.SerializeToNode(setting.Default)!.ToJsonString();
            Assert.Equal(expected, declaration["default"]!.ToJsonString());
            // A secret key makes the CLI refuse a stack that sets it in plain text.
            Assert.True(setting.Secret == ((bool?)declaration["secret"] ?? false), $"{setting.Key}: secret in Pulumi.yaml is not {setting.Secret}");
        }
    }

    [Fact]
    public void The_dev_stack_sets_only_declared_keys_with_values_of_their_type_and_makes_a_valid_cluster()
    {
        var stack = (JsonObject)RepoFiles.ToJson(RepoFiles.LoadYaml("Pulumi.dev.yaml"))!["config"]!;
        Assert.False(string.IsNullOrEmpty((string?)stack["aws:region"]), "the dev stack names its AWS region");

        var values = new Dictionary<string, string>();
        foreach (var (key, value) in stack.Where(e => e.Key.StartsWith(Settings.Namespace + ":", StringComparison.Ordinal)))
        {
            var name = key[(Settings.Namespace.Length + 1)..];
            var declaration = Config[name] as JsonObject;
            Assert.True(declaration is not null, $"{key} is not declared in Pulumi.yaml");
            var type = (string?)declaration!["type"];
            // The CLI takes an integer written as text that parses as one.
            var ok = MatchesType(value, type) || (type == "integer" && value is JsonValue v && v.TryGetValue<string>(out var s) && int.TryParse(s, out _));
            Assert.True(ok, $"{key}: {value?.ToJsonString()} is not a {type}");
            values[name] = value is JsonValue scalar && scalar.TryGetValue<string>(out var text) ? text : value!.ToJsonString();
        }

        var result = ClusterSpecParser.Parse(values);
        Assert.True(result.Ok, string.Join("\n", result.Errors));
    }

    [Fact]
    public void The_readme_lists_every_setting_with_its_type_and_default()
    {
        var readme = RepoFiles.Read("README.md");
        var start = readme.IndexOf("\n## Configuration\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no Configuration section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = readme[start..(end < 0 ? readme.Length : end)];
        foreach (var setting in Settings.All)
        {
            var row = section.Split('\n').SingleOrDefault(l => l.StartsWith($"| `{setting.Key}` |", StringComparison.Ordinal));
            Assert.True(row is not null, $"README has no config table row for {setting.Key}");
            var cells = row!.Split('|').Select(c => c.Trim()).ToArray();
            Assert.Equal(setting.Type.ToString().ToLowerInvariant(), cells[2]);
            Assert.Equal($"`{ReadmeDefault(setting.Default)}`", cells[3]);
        }
    }

    /// <summary>How the README writes a default: JSON for lists and maps, "" for an empty string.</summary>
    public static string ReadmeDefault(object value) => value switch
    {
        string s => s.Length == 0 ? "\"\"" : s,
        bool b => b ? "true" : "false",
        _ => JsonSerializer.Serialize(value),
    };

    private static bool MatchesType(JsonNode? value, string? type) => type switch
    {
        "string" => value is JsonValue v && v.GetValueKind() == JsonValueKind.String,
        "integer" => value is JsonValue v && v.GetValueKind() == JsonValueKind.Number,
        "boolean" => value is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        "array" => value is JsonArray,
        "object" => value is JsonObject,
        _ => false,
    };
    [Fact]
    public void The_readme_names_every_pulumi_package_the_program_pins_at_its_version()
    {
        var project = System.Xml.Linq.XDocument.Parse(RepoFiles.Read("KraftInfra.csproj"));
        var pins = project.Descendants("PackageReference")
            .Select(r => ((string)r.Attribute("Include")!, (string)r.Attribute("Version")!))
            .ToList();
        var readme = RepoFiles.Read("README.md").Replace("\n", " ");

        Assert.Contains(pins, p => p.Item1 == "Pulumi.Tls");
        Assert.All(pins, p =>
        {
            Assert.Matches(@"^\d+\.\d+\.\d+$", p.Item2); // pinned exactly, no floating range
            Assert.Contains($"{p.Item1} {p.Item2}", readme);
        });
    }
}
