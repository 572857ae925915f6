using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace KraftInfra.Cluster.Tests;

/// <summary>
/// The SSM Command documents that carry the readiness and topics scripts: valid schema-2.2
/// content whose run, as the SSM agent does it (the runCommand lines joined into one /bin/sh
/// script, the parameter substituted), writes the scripts byte for byte and runs the right one.
/// </summary>
public sealed class SsmDocumentTests : IDisposable
{
    private readonly ExternalTool.TempDir _dir = new();

    public static TheoryData<string> Keys => new() { SsmDocuments.Readiness.Key, SsmDocuments.Topics.Key, SsmDocuments.Gate.Key, SsmDocuments.Finalize.Key, SsmDocuments.Users.Key };

    private static SsmScriptDocument Document(string key) => SsmDocuments.All.Single(d => d.Key == key);

    private static string[] RunCommand(JsonElement content) =>
        content.GetProperty("mainSteps")[0].GetProperty("inputs").GetProperty("runCommand").EnumerateArray().Select(e => e.GetString()!).ToArray();

    [Theory]
    [MemberData(nameof(Keys))]
    public void The_content_is_one_run_shell_script_step_with_one_checked_string_parameter(string key)
    {
        var document = Document(key);
        using var json = JsonDocument.Parse(SsmDocuments.Content(document));
        var root = json.RootElement;

        Assert.Equal("2.2", root.GetProperty("schemaVersion").GetString());
        var parameter = Assert.Single(root.GetProperty("parameters").EnumerateObject());
        Assert.Equal(document.ParameterName, parameter.Name);
        Assert.Equal("String", parameter.Value.GetProperty("type").GetString());
        Assert.Equal(document.AllowedPattern, parameter.Value.GetProperty("allowedPattern").GetString());
        var step = Assert.Single(root.GetProperty("mainSteps").EnumerateArray());
        Assert.Equal("aws:runShellScript", step.GetProperty("action").GetString());
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void The_only_ssm_parameter_reference_is_the_documents_own_in_the_last_line(string key)
    {
        var document = Document(key);
        using var json = JsonDocument.Parse(SsmDocuments.Content(document));
        var lines = RunCommand(json.RootElement);

        var references = lines.SelectMany(l => Regex.Matches(l, @"\{\{.*?\}\}").Select(m => m.Value)).ToList();
        Assert.Equal([$"{{{{ {document.ParameterName} }}}}"], references);
        Assert.Contains($"'{{{{ {document.ParameterName} }}}}'", lines[^1]);
    }

    [Theory]
    [InlineData("ready", "101,102", true)]
    [InlineData("ready", "101;reboot", false)]
    [InlineData("ready", "", false)]
    [InlineData("topics", "W3sibmFtZSI6ICJvcmRlcnMifV0=", true)]
    [InlineData("topics", "", true)]
    [InlineData("topics", "abc'$(reboot)'", false)]
    [InlineData("gate", "controller:1", true)]
    [InlineData("gate", "preflight", true)]
    [InlineData("gate", "broker:101'; reboot", false)]
    [InlineData("users", "W3sibmFtZSI6ICJhIn1d", true)]
    [InlineData("users", "W10=' ; cat /etc/kafka/secrets/*", false)]
    public void The_allowed_pattern_admits_only_values_that_are_safe_in_single_quotes(string key, string value, bool allowed)
    {
        Assert.Equal(allowed, Regex.IsMatch(value, Document(key).AllowedPattern));
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void Run_by_sh_as_the_agent_runs_it_it_writes_the_scripts_exactly_and_runs_the_documents_script_with_the_value(string key)
    {
        var document = Document(key);
        using var json = JsonDocument.Parse(SsmDocuments.Content(document));
        var value = key switch { "ready" => "101,102", "topics" => "W10=", "finalize" => "27:4.1-IV1", "users" => "W10=", _ => "broker:101" };
        // The agent substitutes the parameter, then runs the joined lines with /bin/sh.
        var script = string.Join("\n", RunCommand(json.RootElement)).Replace($"{{{{ {document.ParameterName} }}}}", value) + "\n";
        var copies = _dir.Combine("copies");
        Directory.CreateDirectory(copies);
        // A stand-in bash on PATH records the script it is asked to run and the files beside it.
        _dir.Write("bin/bash", $$"""
            #!/bin/sh
            printf '%s\n' "$KRAFT_LIB_DIR" "$@" > "{{_dir.Combine("bash.args")}}"
            cp "$KRAFT_LIB_DIR"/* "{{copies}}/"
            exit 3
            """, executable: true);
        var path = _dir.Combine("run.sh");
        File.WriteAllText(path, script);

        var result = ExternalTool.Run("/bin/sh", [path],
            environment: new Dictionary<string, string> { ["PATH"] = _dir.Combine("bin") + ":" + Environment.GetEnvironmentVariable("PATH") });

        Assert.Equal(3, result.ExitCode); // the script's own exit status is the command's
        var args = File.ReadAllLines(_dir.Combine("bash.args"));
        Assert.Equal([$"{args[0]}/{document.Script}", value], args[1..]);
        Assert.False(Directory.Exists(args[0]), "the temporary directory was left behind");
        foreach (var file in document.Files)
            Assert.Equal(TemplateLibrary.Read(file), File.ReadAllText(Path.Combine(copies, file), Encoding.UTF8));
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void The_scripts_a_document_carries_pass_shellcheck(string key)
    {
        var shellcheck = ExternalTool.Require("shellcheck", "shellcheck");
        foreach (var file in Document(key).Files)
        {
            var local = _dir.Write($"{key}/{file}", TemplateLibrary.Read(file));
            var result = ExternalTool.Run(shellcheck, ["--shell=bash", "--severity=style", "-x", local]);
            Assert.True(result.ExitCode == 0, $"{file}\n{result.Output}");
        }
    }

    [Fact]
    public void Each_document_fits_ssms_64_kb_limit_for_document_content()
    {
        foreach (var document in SsmDocuments.All)
            Assert.InRange(Encoding.UTF8.GetByteCount(SsmDocuments.Content(document)), 1, 64 * 1024);
    }

    [Fact]
    public void The_users_steps_argument_names_each_users_password_parameter_and_never_holds_a_password()
    {
        const string password = "given-password-for-orders-1";
        var spec = Clusters.Spec(
            (Settings.ClusterName, "shop"),
            (Settings.Users, """[{"name": "orders-app", "acls": [{"resource": "topic", "name": "orders", "operations": ["Read"]}]}, {"name": "audit"}]"""),
            (Settings.UserPasswords, $$"""{"orders-app": "{{password}}"}"""));

        var argument = UserList.Base64(spec);
        Assert.Matches(SsmDocuments.Users.AllowedPattern, argument);
        using var json = JsonDocument.Parse(Convert.FromBase64String(argument));
        var users = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(["orders-app", "audit"], users.Select(u => u.GetProperty("name").GetString()));
        Assert.Equal(["/kraft-infra/shop/users/orders-app", "/kraft-infra/shop/users/audit"], users.Select(u => u.GetProperty("parameter").GetString()));
        var acl = Assert.Single(users[0].GetProperty("acls").EnumerateArray());
        Assert.Equal("""{"resource":"topic","name":"orders","pattern":"literal","operations":["Read"]}""", acl.GetRawText());
        Assert.DoesNotContain(password, UserList.Json(spec));
    }

    public void Dispose() => _dir.Dispose();
}
