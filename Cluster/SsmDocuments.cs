using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KraftInfra.Cluster;

/// <summary>
/// A script pulumi up runs on a broker through SSM Run Command, kept in an SSM Command document
/// the stack manages instead of the instances' user data: a change to it replaces no instance,
/// and the user data stays small. The document carries the script and the libraries it sources;
/// its one parameter, checked by SSM against <see cref="AllowedPattern"/>, is the argument.
/// </summary>
public sealed record SsmScriptDocument(string Key, string Script, string ParameterName, string AllowedPattern, string Description)
{
    /// <summary>What the document's run writes to a temporary directory: the libraries, then the script.</summary>
    public IReadOnlyList<string> Files => [TemplateLibrary.ToolsLibrary, Script];
}

public static class SsmDocuments
{
    /// <summary>The readiness check; its argument is the topology's broker ids, e.g. 101,102.</summary>
    public static readonly SsmScriptDocument Readiness = new("ready", TemplateLibrary.ReadyScript, "brokerIds",
        "^[0-9]+(,[0-9]+)*$", "kraft-infra: is the Kafka cluster ready for clients? (kafka-ready.sh on a broker)");

    /// <summary>The topics step; its argument is the base64 JSON topic list.</summary>
    public static readonly SsmScriptDocument Topics = new("topics", TemplateLibrary.TopicsScript, "topics",
        "^[A-Za-z0-9+/]*={0,2}$", "kraft-infra: make the Kafka cluster's topics match the declared list (kafka-topics-apply.sh on a broker)");

    /// <summary>The health gate of a rolling change; its argument is controller:ID, broker:ID or preflight.</summary>
    public static readonly SsmScriptDocument Gate = new("gate", TemplateLibrary.GateScript, "check",
        "^(preflight|controller:[0-9]+|broker:[0-9]+)$", "kraft-infra: is this Kafka node healthy again after a change? (kafka-gate.sh)");

    /// <summary>The metadata.version finalize step; its argument is LEVEL:VERSION, e.g. 27:4.1-IV1.</summary>
    public static readonly SsmScriptDocument Finalize = new("finalize", TemplateLibrary.FinalizeScript, "metadataVersion",
        "^[0-9]+:[0-9]+\\.[0-9]+-IV[0-9]+$", "kraft-infra: finalize the Kafka cluster's metadata.version (kafka-finalize.sh on a broker)");

    /// <summary>The users step (scram-tls); its argument is the base64 JSON user list (names, parameter names, ACLs: no password).</summary>
    public static readonly SsmScriptDocument Users = new("users", TemplateLibrary.UsersScript, "users",
        "^[A-Za-z0-9+/]*={0,2}$", "kraft-infra: set the Kafka cluster's declared SCRAM users and add their ACLs (kafka-users-apply.sh on a broker)");

    public static IReadOnlyList<SsmScriptDocument> All { get; } = [Readiness, Topics, Gate, Finalize, Users];

    /// <summary>
    /// The document's content (schema 2.2, one aws:runShellScript step). The SSM agent joins the
    /// runCommand lines into one script run by /bin/sh, so the lines are POSIX sh: each file comes
    /// as base64 in a quoted here-document (no character of it means anything to sh, and none can
    /// form SSM's {{ }} parameter syntax), then bash runs the script with the parameter, which SSM
    /// substitutes only after checking it against the allowed pattern, single-quoted.
    /// </summary>
    public static string Content(SsmScriptDocument document)
    {
        var lines = new List<string>
        {
            "set -eu",
            "lib=$(mktemp -d)",
            "trap 'rm -rf \"$lib\"' EXIT",
        };
        foreach (var file in document.Files)
        {
            lines.Add($"base64 -d > \"$lib/{file}\" <<'KRAFT_INFRA_EOF'");
            lines.AddRange(Wrap(Convert.ToBase64String(Encoding.UTF8.GetBytes(TemplateLibrary.Read(file))), 76));
            lines.Add("KRAFT_INFRA_EOF");
        }
        lines.Add($"KRAFT_LIB_DIR=\"$lib\" bash \"$lib/{document.Script}\" '{{{{ {document.ParameterName} }}}}'");

        var content = new JsonObject
        {
            ["schemaVersion"] = "2.2",
            ["description"] = document.Description,
            ["parameters"] = new JsonObject
            {
                [document.ParameterName] = new JsonObject
                {
                    ["type"] = "String",
                    ["description"] = document.ParameterName switch
                    {
                        "brokerIds" => "The topology's broker node ids, comma-separated.",
                        "topics" => "The declared topics: base64 of their JSON list.",
                        "metadataVersion" => "The metadata.version to finalize: its level and name, e.g. 27:4.1-IV1.",
                        "users" => "The declared users: base64 of their JSON list (names, password parameter names and ACLs).",
                        _ => "What to check: controller:<node id>, broker:<node id> or preflight.",
                    },
                    ["allowedPattern"] = document.AllowedPattern,
                },
            },
            ["mainSteps"] = new JsonArray
            {
                new JsonObject
                {
                    ["action"] = "aws:runShellScript",
                    ["name"] = document.Key,
                    ["inputs"] = new JsonObject { ["runCommand"] = new JsonArray(lines.Select(l => (JsonNode)l!).ToArray()) },
                },
            },
        };
        return content.ToJsonString(new JsonSerializerOptions
        {
            WriteIndented = true,
            // Readable in the console: '+', quotes and '<' stay as they are (the content is JSON, not HTML).
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
    }

    private static IEnumerable<string> Wrap(string text, int width)
    {
        for (var i = 0; i < text.Length; i += width)
            yield return text.Substring(i, Math.Min(width, text.Length - i));
    }
}

/// <summary>The users step's argument: what kafka-users-apply.sh reads (names and parameter names, never a password).</summary>
public static class UserList
{
    public static string Json(ClusterSpec spec) =>
        new JsonArray(spec.Users.Select(u => (JsonNode)new JsonObject
        {
            ["name"] = u.Name,
            ["parameter"] = ClusterSecurity.UserPasswordParameter(spec, u.Name),
            ["acls"] = new JsonArray(u.Acls.Select(a => (JsonNode)new JsonObject
            {
                ["resource"] = a.ResourceType,
                ["name"] = a.ResourceName,
                ["pattern"] = a.PatternType,
                ["operations"] = new JsonArray(a.Operations.Select(o => (JsonNode)o!).ToArray()),
            }).ToArray()),
        }).ToArray()).ToJsonString();

    public static string Base64(ClusterSpec spec) => Convert.ToBase64String(Encoding.UTF8.GetBytes(Json(spec)));
}
