using System.Text.Json;

namespace KraftInfra.Cluster;

/// <summary>
/// How people and AWS reach the nodes without an open inbound port: the instance role lets the
/// SSM agent (preinstalled on Canonical's Ubuntu images) register, and Session Manager opens a shell.
/// </summary>
public static class NodeAccess
{
    /// <summary>AWS's managed policy for the SSM agent (standard AWS partition).</summary>
    public const string SsmManagedInstanceCorePolicyArn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";

    /// <summary>The trust policy that lets EC2 instances take the node role.</summary>
    public static string AssumeRolePolicyJson { get; } = JsonSerializer.Serialize(new
    {
        Version = "2012-10-17",
        Statement = new[]
        {
            new
            {
                Effect = "Allow",
                Principal = new { Service = "ec2.amazonaws.com" },
                Action = "sts:AssumeRole",
            },
        },
    });

    /// <summary>
    /// What the node role may read of the cluster's secrets: its own parameters (one path, only
    /// GetParameter) decrypted with its own KMS key. Another cluster's nodes can read neither.
    /// </summary>
    public static string SecretsReadPolicyJson(string partition, string region, string accountId, string parameterPrefix, string kmsKeyArn) =>
        JsonSerializer.Serialize(new
        {
            Version = "2012-10-17",
            Statement = new object[]
            {
                new
                {
                    Sid = "ReadClusterParameters",
                    Effect = "Allow",
                    Action = new[] { "ssm:GetParameter" },
                    Resource = $"arn:{partition}:ssm:{region}:{accountId}:parameter{parameterPrefix}/*",
                },
                new
                {
                    Sid = "DecryptClusterParameters",
                    Effect = "Allow",
                    Action = new[] { "kms:Decrypt" },
                    Resource = kmsKeyArn,
                },
            },
        });

    /// <summary>A ready-to-paste command that opens a shell on the node (AWS CLI + Session Manager plugin).</summary>
    public static string SsmSessionCommand(string instanceId, string region) =>
        $"aws ssm start-session --target {instanceId} --region {region}";
}
