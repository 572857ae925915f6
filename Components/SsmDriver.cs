using System.Globalization;
using KraftInfra.Cluster;
using Pulumi;
using Pulumi.Aws.Ssm;
using Pulumi.Command.Local;

namespace KraftInfra.Components;

/// <summary>
/// The pieces every step that runs a node script shares: the SSM Command document holding the
/// script, and the local Command that drives SSM Run Command with the AWS CLI (ssm-run-command.sh),
/// every value in its environment and none spliced into its text.
/// </summary>
public static class SsmDriver
{
    /// <summary>A new script text becomes a new version of the document; no instance changes.</summary>
    public static Document ScriptDocument(string name, ClusterSpec spec, SsmScriptDocument document, Resource parent) =>
        new($"{name}-{document.Key}-script", new DocumentArgs
        {
            Content = SsmDocuments.Content(document),
            DocumentType = "Command",
            DocumentFormat = "JSON",
            Tags = ResourceTags.ForCluster(spec, $"{spec.ClusterName}-{document.Key}-script").ToInputMap(),
        }, new CustomResourceOptions { Parent = parent });

    public sealed record Step(
        string Region,
        string? Profile,
        Input<string> WaitForInstanceIds,
        Input<string> TargetInstanceId,
        Document Document,
        SsmScriptDocument Script,
        string Argument,
        int TimeoutSeconds,
        bool RetryUntilSuccess,
        string Description);

    public static InputMap<string> Environment(Step step)
    {
        var environment = new InputMap<string>
        {
            { "AWS_REGION", step.Region },
            { "KRAFT_INSTANCE_IDS", step.WaitForInstanceIds },
            { "KRAFT_TARGET_INSTANCE_ID", step.TargetInstanceId },
            { "KRAFT_DOCUMENT_NAME", step.Document.Name },
            { "KRAFT_DOCUMENT_PARAMETER", step.Script.ParameterName },
            { "KRAFT_REMOTE_ARGUMENT", step.Argument },
            { "KRAFT_TIMEOUT_SECONDS", step.TimeoutSeconds.ToString(CultureInfo.InvariantCulture) },
            { "KRAFT_RETRY_UNTIL_SUCCESS", step.RetryUntilSuccess ? "true" : "false" },
            { "KRAFT_DESCRIPTION", step.Description },
        };
        if (!string.IsNullOrEmpty(step.Profile))
            environment.Add("AWS_PROFILE", step.Profile);
        return environment;
    }

    /// <summary>The driver run by bash -c; its text is the template itself.</summary>
    public static CommandArgs Command(InputMap<string> environment) => new()
    {
        Interpreter = ["/bin/bash", "-c"],
        Create = TemplateLibrary.Read(TemplateLibrary.SsmDriverScript),
        Environment = environment,
        // The driver prints little, but a previous run's output in the environment is never needed.
        AddPreviousOutputInEnv = false,
    };
}
